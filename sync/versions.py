"""The version rule: what to do with a record version, decided in one place.

A record changes by versions 1, 2, 3...; each version names the version it replaces, its
base. Four places receive versions, and they decide differently on purpose:

- **An edit on a device** (`inspector_app.core.records.update`): the next version is the
  current one + 1 (`next_version`), and only if the edit started from the current version;
  otherwise the user reopens the record and redoes the change.
- **A device's outbox** (`protocol.make_record`): every version a device makes travels,
  in order, with base = version - 1 (`base_of`).
- **The central server** (`sync.server.service`, `for_server`): a version is exactly
  base + 1, else it is refused (a device never makes another; a jump to 2**31 - 1 would
  take the record over). It applies only on the agency's current version. Because the
  server takes versions only one by one, it holds every version up to the current one, so
  a version it already holds is either the same (a no-op: a resend) or other content (a
  conflict). A base above the current version is a version the server never saw (a
  conflict, `unknown_base`: the versions between were made elsewhere, e.g. imported from a
  file). Conflicts are kept for a supervisor and overwrite nothing. Who may write is a
  separate server rule (ownership, in the service).
- **The records importer** (`inspector_app.core.transfer`, `for_import`): a file carries only
  the latest version of each record, not the versions between, so a version above the
  store's applies as it is, keeping its number (a jump the server refuses); a version the
  store holds with other content, or a lower version it never had (`stale_base`), is a
  conflict and nothing is overwritten.
- **Pulled reference data** (the client agent, `newer`): the server's items are whole and
  authoritative, and a device keeps no history of them, so a higher version replaces the
  one held and anything else is ignored (a change pulled twice).
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    CREATE = "create"  # a record not held yet
    APPLY = "apply"  # the next version of a held record
    DUPLICATE = "duplicate"  # the same version with the same content: nothing to do
    DIFFERENT_CONTENT = "different_content"  # conflict: other content under a held version
    STALE_BASE = "stale_base"  # conflict: a version below the current one, never held
    UNKNOWN_BASE = "unknown_base"  # conflict: a base above the current version
    NOT_NEXT = "not_next"  # refused: the version is not its base + 1

    @property
    def conflict(self) -> bool:
        return self in CONFLICTS


CONFLICTS = frozenset({Verdict.DIFFERENT_CONTENT, Verdict.STALE_BASE, Verdict.UNKNOWN_BASE})


def next_version(current: int) -> int:
    """The version a local edit of a record at `current` makes."""
    return current + 1


def base_of(version: int) -> int:
    """The base a device sends with each version it made."""
    return version - 1


def is_next(base: int, version: int) -> bool:
    return version == base + 1


def for_server(version: int, base: int, current: int, held_sha: str | None,
               sha: str) -> Verdict:
    """The server's verdict on a version: `current` is the agency's version (0: none),
    `held_sha` the content hash of the same version if the server holds it."""
    if not is_next(base, version):
        return Verdict.NOT_NEXT
    if held_sha is not None:
        return Verdict.DUPLICATE if held_sha == sha else Verdict.DIFFERENT_CONTENT
    if base == current:
        return Verdict.CREATE if current == 0 else Verdict.APPLY
    return Verdict.STALE_BASE if base < current else Verdict.UNKNOWN_BASE


def for_import(version: int, current: int | None, held_same: bool | None) -> Verdict:
    """The importer's verdict: `current` is the store's version (None: not held),
    `held_same` whether the store's version `version` has the same content (None: the
    store does not hold that version)."""
    if current is None:
        return Verdict.CREATE
    if held_same is not None:
        return Verdict.DUPLICATE if held_same else Verdict.DIFFERENT_CONTENT
    return Verdict.APPLY if version > current else Verdict.STALE_BASE


def newer(version: int, held: int | None) -> bool:
    """A pulled reference item replaces the one held only when it is newer."""
    return held is None or version > held
