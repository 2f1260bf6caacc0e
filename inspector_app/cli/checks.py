"""`inspector check print`: the 检查记录 of a labeling check as a PDF.

    inspector check print CHECK_ID --out F.pdf

(`inspector records list --kind check` lists the checks and their ids.)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from inspector_app.cli.common import EXIT_OK, out, with_store, write_pdf
from inspector_app.core.i18n import _


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    parents = list(parents)
    group = commands.add_parser("check", parents=parents,
                                help=_("labeling checks: print the check record"))
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("print", parents=parents,
                           help=_("Write the check record (检查记录) of a check as a PDF"))
    p.add_argument("check_id", metavar="CHECK_ID", help=_("the check's id"))
    p.add_argument("--out", required=True, type=Path, metavar="F.pdf",
                   help=_("the PDF file to write"))
    p.set_defaults(handler=cmd_print)


@with_store
def cmd_print(args, store) -> int:
    from inspector_app.core.checks import documents
    from inspector_app.forms import definitions

    with store.read() as session:
        pdf = documents.check_pdf(session, store, args.check_id,
                                  definitions.registry_for(session))
    write_pdf(args.out, pdf)
    out(_("Wrote {path}").format(path=args.out))
    return EXIT_OK
