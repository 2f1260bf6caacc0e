"""`inspector demo`: fill a store with demo data (the one command that may make a store).

    inspector demo [--records N] [--seed S]
    inspector demo --supervisor [--records N]   (a supervisor's store: records of 3 devices)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

# The short names keep cmd_demo as it was in the old cli.py.
from inspector_app.cli.common import EXIT_OK, CliError, count
from inspector_app.cli.common import kind_label as _kind_label
from inspector_app.cli.common import open_store as _open_store
from inspector_app.cli.common import out as _out
from inspector_app.cli.table import lines as _table_lines
from inspector_app.cli.table import progress as _progress
from inspector_app.core.i18n import _

DEMO_AGENCY = "示例市市场监督管理局"
DEMO_ABBR = "示例"
DEMO_INSPECTOR = ("张三", "zhang", "demo1234", "32010001")


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    demo = commands.add_parser(
        "demo", parents=list(parents), help=_("fill the store with demo data"),
        description=_("Fill the store with demo data. This is the one command that makes a "
                      "new store when the data folder has none."))
    demo.add_argument("--records", type=count, default=None, metavar="N",
                      help=_("records of each kind to add (default 200; with --supervisor: "
                             "of each kind on each device, default 8)"))
    demo.add_argument("--supervisor", action="store_true",
                      help=_("make a supervisor's store holding the signed records of three "
                             "demo inspectors' devices, with a conflict and a returned "
                             "record"))
    demo.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from inspector_app.core import auth, settings
    from inspector_app.core.models import Inspector

    try:
        from inspector_app.core import demo
    except ImportError as exc:
        raise CliError(_("The demo data generator is not part of this installation.")) from exc
    store = _open_store(args, create=True)
    try:
        with store.write() as session:
            if auth.needs_setup(session):
                name, username, password, cert_no = DEMO_INSPECTOR
                agency = settings.AGENCY_NAME.get(session) or DEMO_AGENCY
                abbr = settings.AGENCY_ABBR.get(session) or DEMO_ABBR
                if session.scalar(select(Inspector).where(Inspector.username == username)):
                    settings.AGENCY_NAME.set(session, agency)
                    settings.AGENCY_ABBR.set(session, abbr)
                else:
                    try:
                        auth.first_setup(session, agency, abbr, auth.NewInspector(
                            name, username, password, cert_no, "supervisor"))
                    except auth.SetupError as exc:
                        raise CliError(str(exc)) from exc
                    _out(_("Set up the demo agency {agency}; sign in as {user} with the "
                           "password {password}.").format(agency=agency, user=username,
                                                         password=password))
        start = time.perf_counter()
        if args.supervisor:
            return _supervisor_demo(store, args, start)
        try:
            with _progress(_("Adding demo data")) as bar:
                counts = demo.generate(store, 200 if args.records is None else args.records,
                                       seed=args.seed, progress=bar)
        except demo.DemoError as exc:  # a store with other records: nothing was written
            raise CliError(exc.message) from exc
        counts["seizure"] = counts.get("seizure", 0) + len(demo.printable_seizures(store))
        elapsed = time.perf_counter() - start
    finally:
        store.close()
    _out(_("Added demo data:"))
    shown = [[_kind_label(key), f"{n:,}"] for key, n in counts.items() if n]
    for line in _table_lines(None, shown, right={1}, indent=2):
        _out(line)
    _out(_("Done in {seconds:.1f} s.").format(seconds=elapsed))
    return EXIT_OK


def _supervisor_demo(store, args: argparse.Namespace, start: float) -> int:
    from types import SimpleNamespace

    from inspector_app.core import demo
    from inspector_app.core.agency import demo as agency_demo

    try:
        counts = agency_demo.fill(store, records=8 if args.records is None else args.records,
                                  seed=args.seed, user=SimpleNamespace(name=DEMO_INSPECTOR[0]))
    except demo.DemoError as exc:
        raise CliError(exc.message) from exc
    _out(_("Added the records of three demo devices to this supervisor's store:"))
    shown = [[_kind_label(k), f"{counts[k]:,}"] for k in ("check", "seizure", "worklog")]
    for line in _table_lines(None, shown, right={1}, indent=2):
        _out(line)
    _out(_("Conflicts to resolve: {n}").format(n=counts["conflicts"]))
    _out(_("Done in {seconds:.1f} s.").format(seconds=time.perf_counter() - start))
    return EXIT_OK
