"""`inspector audit verify`: check every record and attachment against the audit trail."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from inspector_app.cli.common import EXIT_CHECK_FAILED, EXIT_OK, kind_label, out, with_store
from inspector_app.core.i18n import _, ngettext


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    parents = list(parents)
    aud = commands.add_parser("audit", parents=parents, help=_("check the audit trail"))
    checks = aud.add_subparsers(dest="action", metavar="ACTION", required=True)
    ver = checks.add_parser("verify", parents=parents,
                            help=_("check every record and attachment against the audit trail"))
    ver.set_defaults(handler=cmd_verify)


@with_store
def cmd_verify(args: argparse.Namespace, store) -> int:
    from sqlalchemy import func, select

    from inspector_app.core import audit
    from inspector_app.core.models import AuditEntry

    with store.read() as session:
        entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        problems = audit.verify(session, store.attachment_path)
    if not problems:
        out(_("OK: all {n} audit entries match the records and attachments.").format(n=entries))
        return EXIT_OK
    for problem in problems:
        out(f"{kind_label(problem.kind)} {problem.record_id}: {problem.message}")
    out(ngettext("{n} problem found.", "{n} problems found.", len(problems))
        .format(n=len(problems)))
    return EXIT_CHECK_FAILED
