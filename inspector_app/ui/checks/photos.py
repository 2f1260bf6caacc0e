"""The photo strip of a check: add from files (or a camera, when Qt finds one), remove, and
a full-size preview. Checking, hashing and storing each photo runs on a worker thread
(`core.checks.photos.process`); a file that is not a sound photo gets its message under the
strip and adds nothing."""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.checks import photos
from inspector_app.core.checks.photos import Photo, PhotoError
from inspector_app.core.i18n import _, ngettext
from inspector_app.ui import tasks
from inspector_app.ui.checks.form import error_label

log = logging.getLogger(__name__)

ICON = 112
FILE_FILTER = "*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.JPG *.JPEG *.PNG"


@functools.lru_cache(maxsize=1)
def camera_available() -> bool:
    """True when Qt Multimedia loads (it needs libpulse on Linux) and sees a camera;
    imported only here, and asked once per run."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return False
    try:
        return bool(QMediaDevices.videoInputs())
    except Exception:  # noqa: BLE001 - no camera backend: no camera
        return False


def process_paths(store, paths: list[str]) -> tuple[list[Photo], list[str]]:
    """Worker side: (the photos kept, a message for each file refused)."""
    kept, refused = [], []
    for path in paths:
        try:
            kept.append(photos.process_file(store, path))
        except PhotoError as exc:
            refused.append(exc.message)
    return kept, refused


class PhotoStrip(QWidget):
    """Thumbnails of the check's photos, in the order they were added."""

    changed = Signal()  # photos were added or removed
    busy_changed = Signal(bool)
    barcode_requested = Signal(str)  # read the barcode of this photo (sha256)

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.photos: list[Photo] = []
        self.busy = False
        self.read_only = False
        self.last_op: tasks.Operation | None = None
        self.list = QListWidget()
        self.list.setObjectName("photo_list")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setIconSize(QSize(ICON, ICON))
        self.list.setGridSize(QSize(ICON + 24, ICON + 34))
        self.list.setFixedHeight(ICON + 56)
        self.list.setMovement(QListView.Movement.Static)
        self.list.itemActivated.connect(self._preview_item)
        self.list.itemDoubleClicked.connect(self._preview_item)
        self.add_button = QPushButton(_("Add photos…"))
        self.add_button.setObjectName("add_photos")
        self.add_button.clicked.connect(self.choose_files)
        self.camera_button = QPushButton(_("Camera…"))
        self.camera_button.setObjectName("camera")
        self.camera_button.clicked.connect(self.take_photo)
        self.camera_button.setVisible(camera_available())
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.setObjectName("remove_photo")
        self.remove_button.clicked.connect(self.remove_selected)
        self.barcode_button = QPushButton(_("Read barcode"))
        self.barcode_button.setObjectName("photo_barcode")
        self.barcode_button.setToolTip(_("Read an EAN-13 or QR code from the selected photo"))
        self.barcode_button.clicked.connect(self._barcode_of_selected)
        self.status = QLabel()
        self.status.setObjectName("photo_status")
        self.error = error_label("photo_error")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.camera_button, self.remove_button,
                       self.barcode_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            buttons.addWidget(button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self._update_buttons()

    # --- showing ----------------------------------------------------------------------

    def set_photos(self, items: list[Photo]) -> None:
        self.photos = []
        self.list.clear()
        self._append(items)

    def _append(self, items: list[Photo]) -> None:
        known = {p.sha256 for p in self.photos}
        fresh = [p for p in items if p.sha256 not in known and not known.add(p.sha256)]
        for photo in fresh:
            self.photos.append(photo)
            item = QListWidgetItem(self._caption(len(self.photos), photo))
            item.setData(Qt.ItemDataRole.UserRole, photo.sha256)
            item.setToolTip(f"{photo.filename}\nSHA-256 {photo.sha256}")
            self.list.addItem(item)
        if fresh:
            store, shas = self.store, [p.sha256 for p in fresh]

            def load(job: tasks.Job) -> list[tuple[str, bytes | None]]:
                out = []
                for sha in shas:
                    try:
                        out.append((sha, photos.thumbnail(store, sha)))
                    except (OSError, PhotoError):
                        out.append((sha, None))
                return out

            op = tasks.run_in_background(load, parent=self)
            op.succeeded.connect(self._thumbnails)
        self._update_buttons()

    @staticmethod
    def _caption(n: int, photo: Photo) -> str:
        name = photo.filename if len(photo.filename) <= 14 else photo.filename[:13] + "…"
        return f"{n}. {name}"

    def _thumbnails(self, loaded: list[tuple[str, bytes | None]]) -> None:
        for sha, data in loaded:
            for row in range(self.list.count()):
                item = self.list.item(row)
                if item.data(Qt.ItemDataRole.UserRole) == sha:
                    pixmap = QPixmap()
                    if data and pixmap.loadFromData(data):
                        item.setIcon(QIcon(pixmap))
                    else:
                        item.setText(item.text() + "\n" + _("(file missing)"))

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(not self.read_only and not self.busy)
        self.camera_button.setEnabled(not self.read_only and not self.busy)
        self.remove_button.setEnabled(not self.read_only and bool(self.photos))
        self.barcode_button.setEnabled(bool(self.photos))
        if not self.busy:
            self.status.setText(ngettext("{n} photo", "{n} photos", len(self.photos)).format(
                n=len(self.photos)))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._update_buttons()

    # --- adding and removing ------------------------------------------------------------

    def choose_files(self) -> None:
        kinds = _("Photos") + f" ({FILE_FILTER});;" + _("All files") + " (*)"
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Add photos"), "", kinds)
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> tasks.Operation:
        """Check and keep the photos on a worker thread; show them when done."""
        store = self.store
        self.busy = True
        self.busy_changed.emit(True)
        self.error.hide()
        self.status.setText(ngettext("Checking {n} photo…", "Checking {n} photos…",
                                     len(paths)).format(n=len(paths)))
        self._update_buttons()
        op = tasks.run_in_background(lambda job: process_paths(store, list(paths)), parent=self)
        op.succeeded.connect(self._added)
        op.failed.connect(self._failed)
        self.last_op = op
        return op

    def _added(self, result: tuple[list[Photo], list[str]]) -> None:
        kept, refused = result
        self.busy = False
        self._append(kept)
        if refused:
            self.error.setText("\n".join(refused))
            self.error.show()
        self.busy_changed.emit(False)
        self._update_buttons()
        if kept:
            self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        log.error("adding photos failed: %s", type(exc).__name__)
        self.error.setText(_("The photos could not be added ({error}).").format(
            error=type(exc).__name__))
        self.error.show()
        self.busy_changed.emit(False)
        self._update_buttons()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.list.selectedIndexes()}, reverse=True)
        if not rows and self.list.currentRow() >= 0:
            rows = [self.list.currentRow()]
        for row in rows:
            self.list.takeItem(row)
            del self.photos[row]
        for n in range(self.list.count()):
            self.list.item(n).setText(self._caption(n + 1, self.photos[n]))
        if rows:
            self._update_buttons()
            self.changed.emit()

    def take_photo(self) -> None:
        dialog = CameraDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.path:
            self.add_files([dialog.path])

    def _barcode_of_selected(self) -> None:
        row = self.list.currentRow()
        if row < 0 and self.photos:
            row = len(self.photos) - 1
        if row >= 0:
            self.barcode_requested.emit(self.photos[row].sha256)

    # --- preview ------------------------------------------------------------------------

    def _preview_item(self, item: QListWidgetItem) -> None:
        self.preview(item.data(Qt.ItemDataRole.UserRole))

    def preview(self, sha256: str) -> PhotoPreview:
        photo = next(p for p in self.photos if p.sha256 == sha256)
        dialog = PhotoPreview(self.store, photo, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class PhotoPreview(QDialog):
    """One photo, upright, as large as the screen allows (loaded on a worker thread)."""

    loaded = Signal()

    def __init__(self, store, photo: Photo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(photo.filename or _("Photo"))
        self.image_label = QLabel(_("Loading…"))
        self.image_label.setObjectName("preview_image")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.image_label)
        scroll.setWidgetResizable(True)
        info = QLabel(_("{name} · {w} × {h} · {size} KB\nSHA-256 {sha}").format(
            name=photo.filename, w=photo.width or "?", h=photo.height or "?",
            size=max(1, photo.size // 1024), sha=photo.sha256))
        info.setObjectName("preview_info")
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(info)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry() if self.screen() else None
        side = min(photos.PREVIEW_SIDE, (screen.height() - 160) if screen else 900)
        self.resize(min(side + 40, 1400), side + 120)
        self.image: QImage | None = None
        sha = photo.sha256

        def load(job: tasks.Job) -> QImage:
            import io

            image = photos.preview(store, sha, side)
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=90)
            return QImage.fromData(buf.getvalue())  # a QImage may be made off the UI thread

        op = tasks.run_in_background(load, parent=self)
        op.succeeded.connect(self._show)
        op.failed.connect(self._failed)

    def _show(self, image: QImage) -> None:
        self.image = image
        self.image_label.setPixmap(QPixmap.fromImage(image))
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, PhotoError) else type(exc).__name__
        self.image_label.setText(_("The photo cannot be shown: {error}").format(error=message))
        self.loaded.emit()


class CameraDialog(QDialog):
    """Take one photo with the first camera Qt Multimedia finds (imported lazily: the app
    runs without it). `path` is the JPEG written, or None."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession
        from PySide6.QtMultimediaWidgets import QVideoWidget

        self.setWindowTitle(_("Take a photo"))
        self.path: str | None = None
        self.session = QMediaCaptureSession(self)
        self.camera = QCamera(self)
        self.capture = QImageCapture(self)
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.capture)
        video = QVideoWidget()
        self.session.setVideoOutput(video)
        shoot = QPushButton(_("Take photo"))
        shoot.setDefault(True)
        shoot.clicked.connect(self._shoot)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(video, 1)
        row = QHBoxLayout()
        row.addWidget(shoot)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.capture.imageSaved.connect(self._saved)
        self.capture.errorOccurred.connect(lambda *_a: self.reject())
        self.resize(800, 640)
        self.camera.start()

    def _shoot(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="inspector-camera-"))
        self.capture.captureToFile(str(folder / "camera.jpg"))

    def _saved(self, _id: int, path: str) -> None:
        self.path = path
        self.camera.stop()
        self.accept()
