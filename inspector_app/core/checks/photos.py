"""Photos of a check: checked with Pillow, kept as their original bytes, shown oriented.

`process` takes the bytes of a photo and, when they are a complete image of a kind we
accept and not a decompression bomb, writes the original bytes unchanged into the
content-addressed attachment folder (`attachments.store_bytes`: the file is named by its
SHA-256, evidence as it was taken) and a small thumbnail, turned upright by the EXIF
orientation, into `thumbnails/` (derived data, remade when missing). Anything else raises
`PhotoError` with a message for the user, and nothing is written.

No Qt here: the UI runs `process` on a worker thread.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from inspector_app.core import attachments
from inspector_app.core.i18n import _

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_PIXELS = 120_000_000  # a 108-megapixel phone photo fits; a bomb does not
THUMB_SIDE = 320
PREVIEW_SIDE = 1600
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
            "TIFF": "image/tiff", "BMP": "image/bmp"}
EXIF_ORIENTATION = 0x0112


class PhotoError(Exception):
    """A file that cannot be a photo of a check; `message` says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Photo:
    """A photo as a check refers to it (also what a draft keeps)."""

    sha256: str
    filename: str
    mime: str
    size: int
    width: int = 0  # upright, after the EXIF orientation
    height: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Photo:
        return cls(str(data["sha256"]), str(data.get("filename", "")),
                   str(data.get("mime", "")), int(data.get("size", 0)),
                   int(data.get("width", 0)), int(data.get("height", 0)))


def thumbnail_path(store: Any, sha256: str) -> Path:
    return Path(store.data_dir) / "thumbnails" / sha256[:2] / f"{sha256}.jpg"


def _open_checked(data: bytes, name: str, draft_side: int | None
                  ) -> tuple[Image.Image, str, tuple[int, int]]:
    """The decoded image (reduced to about `draft_side` where the format allows), its
    MIME type and its full size; raises PhotoError for anything that is not a complete,
    sane photo."""
    if not data:
        raise PhotoError(_("{name} is empty.").format(name=name))
    if len(data) > MAX_FILE_BYTES:
        raise PhotoError(_("{name} is larger than {n} MB; a photo of a label should be much "
                           "smaller.").format(name=name, n=MAX_FILE_BYTES // (1024 * 1024)))
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise PhotoError(_("{name} is not a picture (JPEG, PNG, WebP, TIFF or BMP); it was not "
                           "added.").format(name=name)) from None
    except Image.DecompressionBombError:
        raise _bomb(name) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise PhotoError(_("{name} is damaged and cannot be read ({error}); it was not "
                           "added.").format(name=name, error=exc)) from None
    if image.format not in ACCEPTED:
        raise PhotoError(_("{name} is a {kind} picture; only JPEG, PNG, WebP, TIFF and BMP "
                           "photos can be added.").format(name=name, kind=image.format))
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise _bomb(name)
    if getattr(image, "n_frames", 1) > 1 and image.format != "TIFF":
        raise PhotoError(_("{name} holds several pictures; add a single photo.").format(
            name=name))
    try:
        if draft_side and image.format == "JPEG":
            image.draft("RGB", (draft_side, draft_side))
        image.load()  # decodes every byte: a truncated file fails here
    except Image.DecompressionBombError:
        raise _bomb(name) from None
    except (OSError, ValueError, SyntaxError, MemoryError) as exc:
        raise PhotoError(_("{name} is incomplete or damaged ({error}); it was not added. Copy "
                           "it again from the camera.").format(name=name, error=exc)) from None
    return image, ACCEPTED[image.format], (width, height)


def _bomb(name: str) -> PhotoError:
    return PhotoError(_("{name} claims to be larger than {n} megapixels (a decompression bomb "
                        "or a damaged file); it was not added.").format(
        name=name, n=MAX_PIXELS // 1_000_000))


def orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(EXIF_ORIENTATION, 1) or 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block is no reason to refuse a photo
        return 1


def upright(image: Image.Image) -> Image.Image:
    """`image` turned as its EXIF orientation says, in RGB."""
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - see orientation()
        turned = image
    if turned.mode not in ("RGB", "L"):
        background = Image.new("RGB", turned.size, "white")
        rgba = turned.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        turned = background
    return turned


def _thumbnail_bytes(image: Image.Image) -> bytes:
    thumb = upright(image)
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    thumb.convert("RGB").save(out, "JPEG", quality=82)
    return out.getvalue()


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def process(store: Any, data: bytes, filename: str) -> Photo:
    """Check a photo, keep its original bytes and a thumbnail; raises PhotoError."""
    name = Path(filename).name or _("The file")
    image, mime, (full_w, full_h) = _open_checked(data, name, THUMB_SIDE * 2)
    # EXIF orientations 5 to 8 turn the picture a quarter: width and height swap.
    width, height = (full_w, full_h) if orientation(image) < 5 else (full_h, full_w)
    thumb = _thumbnail_bytes(image)
    sha = attachments.store_bytes(store, data)
    _write(thumbnail_path(store, sha), thumb)
    return Photo(sha, name, mime, len(data), width, height)


def process_file(store: Any, path: str | Path) -> Photo:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PhotoError(_("{name} is larger than {n} MB; a photo of a label should be "
                               "much smaller.").format(name=path.name,
                                                       n=MAX_FILE_BYTES // (1024 * 1024)))
        data = path.read_bytes()
    except OSError as exc:
        raise PhotoError(_("{name} cannot be read ({error}).").format(
            name=path.name, error=exc.strerror or exc)) from None
    return process(store, data, path.name)


def original_bytes(store: Any, sha256: str) -> bytes:
    path = store.attachment_path(sha256)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise PhotoError(_("The file of photo {sha} was changed on disk; it no longer matches "
                           "its SHA-256.").format(sha=sha256[:12]))
    return data


def thumbnail(store: Any, sha256: str) -> bytes:
    """The thumbnail of a kept photo (made again from the original if it is missing)."""
    path = thumbnail_path(store, sha256)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = original_bytes(store, sha256)
    image, _mime, _size = _open_checked(data, sha256[:12], THUMB_SIDE * 2)
    thumb = _thumbnail_bytes(image)
    _write(path, thumb)
    return thumb


def preview(store: Any, sha256: str, side: int = PREVIEW_SIDE) -> Image.Image:
    """The photo upright, at most `side` pixels on its longer side (for the preview and
    the printed record)."""
    data = original_bytes(store, sha256)
    image, _mime, _size = _open_checked(data, sha256[:12], side)
    image = upright(image)
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image.convert("RGB")
