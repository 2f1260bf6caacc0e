"""The seizure form's recovery draft (see ui/recovery.py), and the offer to restore it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from inspector_app.core import records
from inspector_app.core.i18n import _, ngettext
from inspector_app.core.seizure import rules, service
from inspector_app.ui import recovery

KIND = "seizure"


def to_json(d: service.DraftInput) -> dict:
    def plain(value):
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value, "f")
        return value

    data = asdict(d)
    return {k: ([{ik: plain(iv) for ik, iv in row.items()} for row in v]
                if isinstance(v, list) and v and isinstance(v[0], dict) else plain(v))
            for k, v in data.items()}


def from_json(data: dict) -> service.DraftInput:
    values = dict(data)
    for key in ("started_at", "record_ended_at"):
        if values.get(key):
            values[key] = datetime.fromisoformat(values[key])
    values["items"] = [service.ItemInput(**row) for row in values.get("items", [])]
    values["seals"] = [service.SealInput(**row) for row in values.get("seals", [])]
    known = service.DraftInput.__dataclass_fields__
    return service.DraftInput(**{k: v for k, v in values.items() if k in known})


def attach(page, path: Path | None = None) -> recovery.RecoveryDraft:
    """Keep `page`'s (a SeizurePage) typed draft in a recovery file until it is saved."""

    def snapshot() -> dict | None:
        if page.state != rules.DRAFT:
            return None
        return {"seizure_id": page.seizure_id, "source_check_id": page.source_check_id,
                "draft": to_json(page.draft_input())}

    draft = recovery.RecoveryDraft(page.store.data_dir, KIND, page.actor.inspector_id, page,
                                   snapshot, path)
    page.saved.connect(lambda _id: draft.discard())
    return draft


def offer(store, actor: records.Actor, parent: QWidget,
          open_dialog: Callable[[str | None, str | None], QWidget]) -> QMessageBox | None:
    """Ask whether to restore the seizure forms left unsaved (after a crash, say).

    `open_dialog(seizure_id, source_check_id)` opens a SeizureDialog; the restored fields
    are put in it. Later keeps the files for the next sign-in; Discard removes them.
    """
    left = recovery.pending(store.data_dir, KIND, actor.inspector_id)
    if not left:
        return None
    box = QMessageBox(QMessageBox.Icon.Question, _("Restore unsaved draft"), ngettext(
        "A seizure form was left unsaved when the app last stopped. Restore what was typed?",
        "{n} seizure forms were left unsaved when the app last stopped. Restore what was "
        "typed?", len(left)).format(n=len(left)), QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("restore_drafts")
    restore = box.addButton(_("Restore unsaved draft"), QMessageBox.ButtonRole.AcceptRole)
    restore.setObjectName("restore")
    box.addButton(_("Later"), QMessageBox.ButtonRole.RejectRole).setObjectName("later")
    discard = box.addButton(_("Discard"), QMessageBox.ButtonRole.DestructiveRole)
    discard.setObjectName("discard")
    box.setDefaultButton(restore)

    def answered(_result: int) -> None:
        clicked = box.clickedButton()
        if clicked is discard:
            for path, _saved in left:
                path.unlink(missing_ok=True)
        elif clicked is restore:
            for path, saved in left:
                _restore(path, saved["data"], open_dialog)

    box.finished.connect(answered)
    box.open()
    return box


def _restore(path: Path, data: dict, open_dialog) -> None:
    try:
        draft = from_json(data["draft"])
    except (KeyError, TypeError, ValueError):
        path.unlink(missing_ok=True)  # not a form state this version can read
        return
    dialog = open_dialog(data.get("seizure_id"), data.get("source_check_id"))
    page = dialog.page
    if page.state != rules.DRAFT:  # issued since (on another window): nothing to restore
        path.unlink(missing_ok=True)
        return
    page.recovery.close()  # the restored file, not a new one, follows the form now
    page.recovery = attach(page, path)
    page.recovery.paused = True
    page.form.fill(draft)
    page.recovery.paused = False
