"""First-run set-up and sign-in dialogs (several inspectors may share one device)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.ui.errors import ERROR_STYLE


@dataclass(frozen=True)
class SignedIn:
    """The inspector using the app now (plain values, no database object)."""

    id: str
    name: str
    username: str
    cert_no: str
    role: str

    @classmethod
    def of(cls, inspector) -> SignedIn:
        return cls(inspector.id, inspector.name, inspector.username, inspector.cert_no,
                   inspector.role)


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class _FormDialog(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error = _error_label()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox()
        layout.addWidget(self.buttons)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _line(self, label: str, name: str, password: bool = False) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(label, edit)
        return edit


class SetupDialog(_FormDialog):
    """The first run: name the agency and create the first inspector's account."""

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(
            _("Set up Inspector"),
            _("This device has no inspector yet. Enter your agency and the first "
              "inspector's account. More inspectors can be added later."),
            parent)
        self.store = store
        self.signed_in: SignedIn | None = None
        self.agency = self._line(_("Agency name"), "agency")
        self.agency.setPlaceholderText(_("e.g. 示例市市场监督管理局"))
        self.abbr = self._line(_("Agency abbreviation"), "abbr")
        self.abbr.setPlaceholderText(_("used in document numbers, e.g. 示例"))
        self.name = self._line(_("Inspector's name"), "name")
        self.cert_no = self._line(_("Enforcement certificate no."), "cert_no")
        self.username = self._line(_("User name"), "username")
        self.password = self._line(_("Password"), "password", password=True)
        self.password2 = self._line(_("Password again"), "password2", password=True)
        ok = self.buttons.addButton(_("Set up and sign in"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("ok")
        ok.setDefault(True)
        quit_button = self.buttons.addButton(_("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("quit")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def submit(self) -> None:
        from inspector_app.core import auth

        if self.password.text() != self.password2.text():
            self.show_error(_("The two passwords are not the same."))
            self.password2.clear()
            self.password2.setFocus()
            return
        new = auth.NewInspector(self.name.text(), self.username.text(), self.password.text(),
                                self.cert_no.text(), role="supervisor")
        try:
            with self.store.write() as session:
                inspector = auth.first_setup(session, self.agency.text(), self.abbr.text(), new)
                self.signed_in = SignedIn.of(inspector)
        except auth.SetupError as exc:
            self.show_error(str(exc))
            return
        self.accept()


class SignInDialog(_FormDialog):
    """User name and password; several inspectors may share this device."""

    def __init__(self, store, parent: QWidget | None = None, agency: str = "",
                 username: str = "", hint: str = ""):
        intro = _("Sign in to continue.")
        if agency:
            intro = agency + "\n" + intro
        super().__init__(_("Sign in"), intro, parent)
        self.store = store
        self.signed_in: SignedIn | None = None
        self.username = self._line(_("User name"), "username")
        self.username.setText(username)
        self.password = self._line(_("Password"), "password", password=True)
        if hint:
            note = QLabel(hint)
            note.setObjectName("hint")
            note.setStyleSheet("color: #555;")
            self.form.addRow("", note)
        ok = self.buttons.addButton(_("Sign in"), QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("ok")
        ok.setDefault(True)
        quit_button = self.buttons.addButton(_("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("quit")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        from inspector_app.core import auth

        if not self.username.text().strip():
            self.show_error(_("Enter your user name."))
            return
        with self.store.read() as session:
            inspector = auth.authenticate(session, self.username.text(), self.password.text())
            if inspector is not None:
                self.signed_in = SignedIn.of(inspector)
        if self.signed_in is None:
            self.show_error(_("The user name or the password is wrong."))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
