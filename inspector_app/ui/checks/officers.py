"""The officers of a check on its page: the signed-in officer (shown) and the 第二执法人员
picker, from the store's active officers other than the signed-in one (行政处罚法 art. 42:
two officers with 执法证). The rule itself is the service's (`checks.service._officers`)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel
from sqlalchemy import select

from inspector_app.core.i18n import _
from inspector_app.core.models import Inspector


def officer_label(name: str, cert: str) -> str:
    return _("{name}  (enforcement certificate {cert})").format(
        name=name, cert=cert or _("(none)"))


class OfficerPicker(QComboBox):
    """The second officer: empty, or one of the store's active officers but `me`."""

    def __init__(self, session, me: str | None):
        super().__init__()
        self.setObjectName("second_officer")
        self.addItem("", None)
        query = select(Inspector).where(Inspector.active).order_by(Inspector.name,
                                                                   Inspector.id)
        for inspector in session.scalars(query):
            if inspector.id != me:
                self.addItem(officer_label(inspector.name, inspector.cert_no), inspector.id)

    def officer_id(self) -> str | None:
        return self.currentData()

    def show_recorded(self, inspector_id: str, name: str, cert: str) -> None:
        """Show the officer a saved check names, as it names him (read only views)."""
        index = self.findData(inspector_id)
        if index < 0:
            self.addItem("", inspector_id)
            index = self.count() - 1
        self.setItemText(index, officer_label(name, cert))
        self.setCurrentIndex(index)

    def set_officer(self, inspector_id: str | None) -> None:
        """Choose `inspector_id` (empty when it is not on the list: gone, or `me`)."""
        self.setCurrentIndex(max(self.findData(inspector_id), 0) if inspector_id else 0)


def me_label(session, me: str | None) -> QLabel:
    """The signed-in officer, who is the check's first officer."""
    inspector = session.get(Inspector, me) if me else None
    label = QLabel(officer_label(inspector.name, inspector.cert_no) if inspector
                   else _("(none)"))
    label.setObjectName("first_officer")
    return label
