"""The labeling check UI: the form built from a definition, the photo strip, the check
dialog, and how the app shell opens them.

Hooks for the 标识检查 page (see the functions below):

    actor = checks.actor_for(store, user)                   # user: auth_dialogs.SignedIn
    checks.open_new_check(store, actor, parent, on_saved=..., on_seizure=...)
    checks.open_check(store, actor, record_id, parent, on_saved=..., on_seizure=...)
    checks.open_recovered_drafts(store, actor, parent, on_saved=..., on_seizure=...)
    checks.preload_definitions()                            # after signing in
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from inspector_app.core import records, settings
from inspector_app.core.checks import service
from inspector_app.core.checks.service import CheckError, Prefill
from inspector_app.forms import definitions
from inspector_app.ui import tasks
from inspector_app.ui.checks.dialog import CheckDialog
from inspector_app.ui.checks.page import CheckPage

__all__ = ["CheckDialog", "CheckPage", "actor_for", "open_check", "open_new_check",
           "open_recovered_drafts", "preload_definitions"]

Callback = Callable[[str], None] | None


def actor_for(store, user) -> records.Actor:
    """The Actor of the signed-in inspector (`user` has an `id`) on this device."""
    with store.write() as session:
        return records.Actor(settings.device_id(session), user.id)


def preload_definitions() -> tasks.Operation:
    """Load and validate the shipped definitions on a worker thread (about 0.1-0.3 s
    once), so the first check form opens at once."""
    return tasks.run_in_background(lambda job: len(definitions.builtin()))


def _show(dialog: QDialog, on_saved: Callback = None, on_seizure: Callback = None
          ) -> QDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if on_saved is not None and hasattr(dialog, "saved"):
        dialog.saved.connect(on_saved)
    if on_seizure is not None and hasattr(dialog, "seizure_started"):
        dialog.seizure_started.connect(on_seizure)
    dialog.show()
    dialog.raise_()
    return dialog


def open_new_check(store, actor: records.Actor, parent: QWidget | None = None,
                   prefill: Prefill | None = None, *, on_saved: Callback = None,
                   on_seizure: Callback = None) -> CheckDialog | None:
    """A new, empty check (prefilled with a stall and party when `prefill` is given).
    `on_saved(check_id)` runs after each save (refresh the list); `on_seizure(seizure_id)`
    when finalising started a seizure (open it). A refusal (no checklist definitions, say)
    is shown, and logged, instead; then it returns None."""
    try:
        dialog = CheckDialog(store, actor, prefill=prefill, parent=parent)
    except CheckError as exc:
        _refused(parent, exc)
        return None
    return _show(dialog, on_saved, on_seizure)


def _refused(parent: QWidget | None, exc: CheckError) -> None:
    from inspector_app.core.i18n import _
    from inspector_app.ui.errors import show_message

    show_message(parent, _("Labeling check"), exc.message)


def open_check(store, actor: records.Actor, check_id: str, parent: QWidget | None = None,
               *, on_saved: Callback = None, on_seizure: Callback = None) -> QDialog | None:
    """A saved check: editable while a draft, read-only (printable) once final. A check
    made without a definition this device knows opens in the plain record view."""
    with store.read() as session:
        check = service.load(session, check_id)
        known = service.definition_of(definitions.registry_for(session), check) is not None
    if not known:
        from inspector_app.ui.record_list import RecordDialog

        return _show(RecordDialog(store, "check", check_id, parent))
    try:
        dialog = CheckDialog(store, actor, check_id=check_id, parent=parent)
    except CheckError as exc:
        _refused(parent, exc)
        return None
    return _show(dialog, on_saved, on_seizure)


def open_recovered_drafts(store, actor: records.Actor, parent: QWidget | None = None, *,
                          on_saved: Callback = None, on_seizure: Callback = None
                          ) -> list[CheckDialog]:
    """Reopen the checks this inspector was typing when the app last stopped (a crash, a
    power cut): every local draft becomes a dialog again, with everything typed."""
    with store.read() as session:
        left = service.drafts(session, actor.inspector_id)
    return [_show(CheckDialog(store, actor, draft=d, parent=parent), on_saved, on_seizure)
            for d in left]
