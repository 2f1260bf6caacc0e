"""How the supervisor reads a record's content: translated field names, the names of the
markets, inspectors, parties, stalls and devices instead of their ids (the id kept beside,
as it is evidence), and times in the record's own time zone.

Decided: the time zone fields (created_offset / updated_offset, minutes east of UTC) are
not shown as rows; every time is shown in the zone the record was made in, "(UTC+8)"
after it. The record's own id and kind, a checklist item's internal key and the frozen
print block are technical and hidden, unless two contents of a conflict differ there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from inspector_app.core.agency.review_view import REFERENCES
from inspector_app.core.i18n import N_, _
from inspector_app.ui import labels, record_list

# Keys with no label of their own (or a misleading one) in ui/labels.
_LABELS = {
    "approved_at": N_("Approved at"),
    "inspector_id": N_("Officer"),
    "id": N_("Identifier"),
    "created_offset": N_("Time zone"),
    "updated_offset": N_("Time zone of the last change"),
}
# Codes of the seizure's signatures and attachments, as the seizure pages word them.
_CODES = {
    "status": {"signed": N_("signed"), "refused": N_("refused to sign")},
    "role": {"party": N_("Party"), "witness": N_("Witness"), "officer": N_("Officer"),
             "signature": N_("Signature"), "strokes": N_("Signature strokes")},
}
TECHNICAL = record_list.HIDDEN - {"version"}


def label(kind: str, key: str) -> str:
    if key in _LABELS:
        return _(_LABELS[key])
    return labels.field_label(kind, key)


def path_label(kind: str, path: str) -> str:
    """A dotted path with translated names: "items.3.result" -> "检查项目 3 · 结果"."""
    return " · ".join(p if p.isdigit() else label(kind, p) for p in path.split("."))


def zone(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def value(key: str, raw: Any, names: dict[str, str],
          offset: int | None) -> tuple[str, str]:
    """(what is shown, its tooltip) for the value of field `key`."""
    if key in REFERENCES and isinstance(raw, str) and raw:
        name = names.get(raw)
        if not name:  # no agency record names it here: the id itself
            return _("{id} (no name known on this device)").format(id=raw), raw
        if key == "device_id":
            return _("{name} (device {device})").format(name=name, device=raw[:8]), raw
        return name, raw
    if key in ("created_offset", "updated_offset") and isinstance(raw, int):
        return zone(raw), str(raw)
    if (isinstance(raw, str) and raw.endswith("Z") and offset is not None
            and (key == "at" or key.endswith("_at"))):
        try:
            moment = datetime.fromisoformat(raw[:-1]).replace(tzinfo=UTC)
        except ValueError:
            return raw, raw
        local = moment + timedelta(minutes=offset)
        return f"{local:%Y-%m-%d %H:%M} ({zone(offset)})", raw
    if key in _CODES and isinstance(raw, str) and raw:
        codes = _CODES[key]
        parts = raw.split(":")  # an attachment's role: "signature:officer"
        if all(p in codes for p in parts):
            return " · ".join(_(codes[p]) for p in parts), raw
    text = labels.display_value(key, raw)
    return text, text


def moment(raw: Any) -> str:
    """A time of the history (received or decided here) in this computer's zone."""
    if isinstance(raw, datetime):
        when = raw
    else:
        try:
            when = datetime.fromisoformat(str(raw))
        except ValueError:
            return str(raw or "")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def content_html(kind: str, record_id: str, content: dict[str, Any],
                 names: dict[str, str], versions: int) -> str:
    """The record's content as the detail pane shows it (record_list.content_html, with
    the names of what it refers to and the record's own time zone)."""
    offset = content.get("created_offset")
    offset = offset if isinstance(offset, int) else None

    def cell(key: str, raw: Any, top: bool) -> str:
        text, _tip = value(key, raw, names, offset)
        out = escape(text)
        if key in REFERENCES and raw and raw[:8] not in text:  # the id is evidence too
            shown = raw if top else raw[:8]
            out += f" <small style='color:#777'>({escape(shown)})</small>"
        return out

    return record_list.content_html(kind, record_id, content, versions, cell=cell,
                                     label=lambda key: label(kind, key))
