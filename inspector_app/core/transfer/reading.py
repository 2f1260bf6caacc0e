"""Reading a records file: whole (`load_document`), or as it is read (`import_file`).

`import_file` parses the file incrementally (ijson) and checks each entry as soon as it
is read, keeping of each good entry only its canonical text; so memory grows with the
file by that text, not by the parsed tree. A file it cannot read that way (bad JSON,
not UTF-8, not an object, a repeated key) is read again whole by `load_document`, which
names the problem exactly as before, or imported whole if it is readable after all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from inspector_app.core.i18n import N_, _
from inspector_app.core.store import Store
from inspector_app.core.transfer.checking import AttachmentFiles, Checker, ImportSummary
from inspector_app.core.transfer.fileformat import Progress, TransferError
from inspector_app.core.transfer.importing import import_checked, import_document

_BOM = b"\xef\xbb\xbf"


# --- the whole file --------------------------------------------------------------------

# json's own messages, marked here so that they are translated too.
_JSON_MESSAGES = [
    N_("Expecting value"),
    N_("Expecting ',' delimiter"),
    N_("Expecting ':' delimiter"),
    N_("Expecting property name enclosed in double quotes"),
    N_("Unterminated string starting at"),
    N_("Invalid control character at"),
    N_("Invalid \\escape"),
    N_("Extra data"),
]


def load_document(path: Path) -> Any:
    """The parsed file. Raises TransferError (bad JSON, with line and column) or OSError."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig") as fh:
            return json.load(fh)
    except UnicodeDecodeError as exc:
        raise TransferError(
            _("{file} is not UTF-8 text (byte {offset}); it cannot be a records file.")
            .format(file=path, offset=exc.start)) from exc
    except json.JSONDecodeError as exc:
        raise TransferError(
            _("{file} is not valid JSON: {error} at line {line}, column {column}.")
            .format(file=path, error=_(exc.msg), line=exc.lineno, column=exc.colno)) from exc
    except RecursionError as exc:
        raise TransferError(_("{file} is nested too deeply to be a records file.")
                            .format(file=path)) from exc




# --- as it is read ---------------------------------------------------------------------


class _Unstreamable(Exception):
    """The file is not a plain JSON object with one "records" list: read it whole."""


def import_file(store: Store, path: Path, attachments_dir: Path | None = None,
                progress: Progress | None = None) -> ImportSummary:
    """Import a records file, all or nothing, reading it as it is parsed.

    Raises TransferError (a file that is not JSON, as `load_document`), OSError, or
    ImportRejected with every issue, like `import_document`.
    """
    path = Path(path)
    checker = Checker(AttachmentFiles(store, attachments_dir))
    try:
        with path.open("rb") as fh:
            envelope = _read(fh, checker, progress, path.stat().st_size)
    except (ijson.JSONError, UnicodeDecodeError, RecursionError, _Unstreamable):
        return import_document(store, load_document(path), attachments_dir, progress)
    checker.envelope(envelope)
    entries = envelope.get("records")
    with store.write() as session:
        return import_checked(session, checker, progress,
                              entries=None if isinstance(entries, list) else entries)


class _Skipped:
    """What the head of the document keeps of an object: nothing (the records are read
    on their own; an object anywhere else sends the file to `load_document`)."""

    __slots__ = ()

    def __setitem__(self, key: str, value: Any) -> None:
        pass


_CHUNK = 1 << 16
_ITEMS = "records.item"


def _read(fh: BinaryIO, checker: Checker, progress: Progress | None, size: int
          ) -> dict[str, Any]:
    """Feed the entries of "records" to `checker` as they are parsed; return the rest of
    the document (with an empty list for "records")."""
    start = fh.read(3)
    if start != _BOM:
        fh.seek(0)
    if fh.read(_CHUNK).lstrip(b" \t\r\n")[:1] != b"{":
        raise _Unstreamable
    fh.seek(3 if start == _BOM else 0)
    head: list[tuple[str, Any]] = ijson.sendable_list()
    entries: list[Any] = ijson.sendable_list()
    # Two parsers of the same bytes: the head's keys (objects not kept), and the records.
    parsers = [ijson.kvitems_coro(head, "", map_type=_Skipped, use_float=True),
               ijson.items_coro(entries, _ITEMS, use_float=True)]
    done = 0
    while True:
        chunk = fh.read(_CHUNK)
        for parser in parsers:
            if chunk:
                parser.send(chunk)
            else:
                parser.close()  # raises on a truncated document
        for rec in entries:
            checker.add(rec)
            done += 1
            if progress and done % 1000 == 0:
                progress(min(fh.tell(), size), 2 * size)
        del entries[:]
        if not chunk:
            break
    envelope: dict[str, Any] = {}
    for key, value in head:
        if key in envelope or key == _ITEMS:
            raise _Unstreamable  # json keeps the last of repeated keys: load_document
        if key == "records" and isinstance(value, list):
            value = []
        elif isinstance(value, (_Skipped, list)):
            raise _Unstreamable
        envelope[key] = value
    return envelope
