"""`inspector self-test`: check this installation (see `inspector_app.selftest`).

    inspector self-test

Works in a temporary folder of its own: --data-dir is not used and no store is touched.
Exits 0 when every step passes, 1 at the first that fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from inspector_app.core.i18n import _


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    p = commands.add_parser(
        "self-test", parents=list(parents),
        help=_("check this installation in a temporary folder and exit"),
        description=_("Check this installation in a temporary folder: save one record of "
                      "each kind, print every document, read back and verify a QR code. "
                      "No store of yours is used."))
    p.set_defaults(handler=cmd_self_test)


def cmd_self_test(args) -> int:
    from inspector_app.selftest import run_self_test

    return run_self_test(sys.stdout, qt=False)
