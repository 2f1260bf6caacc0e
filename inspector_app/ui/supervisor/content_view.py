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

from inspector_app.core import queries
from inspector_app.core.agency.review_view import REFERENCES
from inspector_app.core.i18n import N_, _, ngettext
from inspector_app.ui import labels

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
TECHNICAL = {"kind", "id", "created_offset", "updated_offset", "item_key", "frozen_block"}


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
    """The record's content as the detail pane shows it."""
    offset = content.get("created_offset")
    offset = offset if isinstance(offset, int) else None

    def cell(key: str, raw: Any, full_id: bool) -> str:
        text, _tip = value(key, raw, names, offset)
        out = escape(text)
        if key in REFERENCES and raw and raw[:8] not in text:  # the id is evidence too
            shown = raw if full_id else raw[:8]
            out += f" <small style='color:#777'>({escape(shown)})</small>"
        return out

    rows: list[str] = []
    lists: list[str] = []
    for key in sorted(content, key=labels.order_key):
        raw = content[key]
        if key in TECHNICAL or key == "version":
            continue
        if isinstance(raw, list):
            if not raw:
                continue
            children = [c for c in raw if isinstance(c, dict)]
            if not children:  # a list of plain values
                rows.append(f"<tr><th align='left' style='padding-right:12px'>"
                            f"{escape(label(kind, key))}</th><td>"
                            f"{escape('、'.join(str(c) for c in raw))}</td></tr>")
                continue
            cols = sorted({k for child in children for k in child if k not in TECHNICAL},
                          key=labels.order_key)
            head = "".join(f"<th>{escape(label(kind, c))}</th>" for c in cols)
            body = "".join("<tr>" + "".join(f"<td>{cell(c, child.get(c), False)}</td>"
                                            for c in cols) + "</tr>" for child in children)
            lists.append(f"<h3>{escape(label(kind, key))} ({len(raw)})</h3>"
                         f"<table border='1' cellspacing='0' cellpadding='3'>"
                         f"<tr>{head}</tr>{body}</table>")
            continue
        if raw in ("", None):
            continue
        rows.append(f"<tr><th align='left' style='padding-right:12px'>"
                    f"{escape(label(kind, key))}</th><td>{cell(key, raw, True)}</td></tr>")
    title = escape(_(queries.KIND_LABELS.get(kind, kind)))
    history = escape(ngettext("{n} version in its history", "{n} versions in its history",
                              versions).format(n=versions))
    current = escape(_("Current version: {version}").format(version=content.get("version")))
    return (f"<h2>{title}</h2><p>{current} · {history}<br>"
            f"<small>{escape(_('Record id: {id}').format(id=record_id))}</small></p>"
            f"<table cellspacing='0' cellpadding='3'>{''.join(rows)}</table>"
            f"{''.join(lists)}")
