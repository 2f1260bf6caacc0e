"""Reading a records file: whole (`load_document`), or as it is read (`import_file`).

`import_file` parses the file incrementally (ijson) and checks each entry as soon as it
is read, keeping of each good entry only its canonical text; so memory grows with the
file by that text, not by the parsed tree. A file it cannot read that way (bad JSON,
not UTF-8, not an object, a repeated key) is read again whole by `load_document`, which
names the problem exactly as before, or imported whole if it is readable after all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from inspector_app.core.i18n import N_, _
from inspector_app.core.store import Store
from inspector_app.core.transfer.checking import AttachmentFiles, Checker, ImportSummary
from inspector_app.core.transfer.importing import import_checked, import_document
from inspector_app.core.transfer.schema import Progress, TransferError

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


def _read(fh: BinaryIO, checker: Checker, progress: Progress | None, size: int
          ) -> dict[str, Any]:
    """Feed the entries of "records" to `checker`; return the rest of the document (with
    an empty list for "records")."""
    if fh.read(3) != _BOM:
        fh.seek(0)
    events = ijson.parse(fh, use_float=True)
    first = next(events, None)
    if first is None or first[1] != "start_map":
        raise _Unstreamable
    envelope: dict[str, Any] = {}
    for _prefix, event, value in events:
        if event == "end_map":
            break
        if value in envelope:
            raise _Unstreamable  # json keeps the last one; so does load_document
        _p, event, first_value = next(events)
        if value == "records" and event == "start_array":
            envelope["records"] = []
            for n, rec in enumerate(_items(events), start=1):
                checker.add(rec)
                if progress and n % 1000 == 0:
                    progress(min(fh.tell(), size), 2 * size)
        else:
            envelope[value] = _value(event, first_value, events)
    for _rest in events:  # ijson raises on anything but whitespace after the object
        pass
    return envelope


def _items(events: Iterator[tuple[str, str, Any]]) -> Iterator[Any]:
    for _prefix, event, value in events:
        if event == "end_array":
            return
        yield _value(event, value, events)


def _value(first: str, value: Any, events: Iterator[tuple[str, str, Any]]) -> Any:
    """The JSON value that starts with the event (first, value)."""
    if first not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(first, value)
    depth = 1
    for _prefix, event, item in events:
        builder.event(event, item)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return builder.value
    raise _Unstreamable
