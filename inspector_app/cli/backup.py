"""`inspector backup` and `inspector restore`: the whole store in one checked file.

    inspector backup --out F.zip      a consistent copy, also while the app is running
    inspector restore F.zip           check it all, back up the store it replaces, restore

See core/backup.py for the file's form.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from inspector_app.cli.common import EXIT_CHECK_FAILED, EXIT_OK, CliError, err, open_store, out
from inspector_app.core.i18n import _


def add_commands(subparsers, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    parents = list(parents)
    p = subparsers.add_parser(
        "backup", parents=parents, help=_("Back up the store and its attachments to one file"),
        description=_("Write a consistent copy of the store, its attachments and a manifest "
                      "of their SHA-256 hashes to one zip file. The app may be running."))
    p.add_argument("--out", required=True, type=Path, metavar="F.zip",
                   help=_("the backup file to write"))
    p.set_defaults(handler=cmd_backup)

    p = subparsers.add_parser(
        "restore", parents=parents, help=_("Restore the store from a backup file"),
        description=_("Check a backup against its manifest, then restore it into the data "
                      "folder. A store already there is first backed up into the folder's "
                      "backups/ subfolder. The app must be closed."))
    p.add_argument("backup", type=Path, metavar="F.zip", help=_("the backup file"))
    p.set_defaults(handler=cmd_restore)


def _folder(args: argparse.Namespace) -> Path:
    from inspector_app.core.paths import data_dir

    return data_dir(getattr(args, "data_dir", None))


def cmd_backup(args: argparse.Namespace) -> int:
    from inspector_app.core import backup

    folder = _folder(args)
    # refuses a foreign or newer file, brings an older store to this app's schema
    open_store(args).close()
    if args.out.exists() and args.out.is_dir():
        raise CliError(_("{path} is a folder, not a file.").format(path=args.out))
    result = backup.make_backup(folder, args.out)
    files = result.manifest["files"]
    attachments = sum(1 for name in files if name.startswith("attachments/"))
    out(_("Backed up the store of {folder} to {path}: the database and {n} attachment "
          "files.").format(folder=folder, path=result.path, n=attachments))
    if result.missing:
        for sha in result.missing:
            err(_("Attachment file {sha} is missing or was changed; it is not in the backup.")
                .format(sha=sha))
        return EXIT_CHECK_FAILED
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from inspector_app.core import backup

    folder = _folder(args)
    result = backup.restore(args.backup, folder)
    if result.previous is not None:
        out(_("The store that was there is kept in {path}.").format(path=result.previous))
    out(_("Restored the backup of {created} (Inspector {version}) into {folder}.").format(
        created=result.manifest.get("created_at", ""),
        version=result.manifest.get("app_version", ""), folder=folder))
    return EXIT_OK
