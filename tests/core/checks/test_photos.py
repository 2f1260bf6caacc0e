"""Photos of a check: originals kept byte for byte, thumbnails upright, bad files refused
with a clear message and nothing written."""

from __future__ import annotations

import hashlib
import io

import pytest
from check_helpers import jpeg, png_bomb
from PIL import Image

from inspector_app.core import i18n
from inspector_app.core.checks import photos
from inspector_app.core.checks.photos import PhotoError


def _files(store) -> list:
    return [p for p in store.data_dir.rglob("*") if p.is_file()
            and ("attachments" in p.parts or "thumbnails" in p.parts)]


def test_a_photo_keeps_its_original_bytes_and_sha256(store):
    data = jpeg(orientation=1)
    photo = photos.process(store, data, "/somewhere/标签.jpg")
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.filename == "标签.jpg" and photo.mime == "image/jpeg"
    assert photo.size == len(data) and (photo.width, photo.height) == (640, 480)
    assert store.attachment_path(photo.sha256).read_bytes() == data
    thumb = Image.open(io.BytesIO(photos.thumbnail(store, photo.sha256)))
    assert max(thumb.size) == photos.THUMB_SIDE


@pytest.mark.parametrize("orientation,size,left_colour", [
    (6, (480, 640), "top"),  # turned a quarter clockwise: the orange half ends on top
    (8, (480, 640), "bottom"),
    (3, (640, 480), "right"),
])
def test_the_exif_orientation_is_applied_to_what_is_shown(store, orientation, size,
                                                          left_colour):
    data = jpeg(orientation=orientation)
    photo = photos.process(store, data, "rotated.jpg")
    assert (photo.width, photo.height) == size
    assert store.attachment_path(photo.sha256).read_bytes() == data  # the original, unturned
    for image in (Image.open(io.BytesIO(photos.thumbnail(store, photo.sha256))),
                  photos.preview(store, photo.sha256, 400)):
        w, h = image.size
        assert (w < h) == (size[0] < size[1])
        spots = {"top": (w // 2, h // 8), "bottom": (w // 2, h * 7 // 8),
                 "right": (w * 7 // 8, h // 2)}
        r, g, b = image.convert("RGB").getpixel(spots[left_colour])
        assert r > 200 and b < 80, (orientation, (r, g, b))  # orange, not blue


def test_a_missing_thumbnail_is_made_again(store):
    photo = photos.process(store, jpeg(orientation=6), "a.jpg")
    photos.thumbnail_path(store, photo.sha256).unlink()
    again = Image.open(io.BytesIO(photos.thumbnail(store, photo.sha256)))
    assert again.size[0] < again.size[1]


def _refused(store, data: bytes, name: str) -> str:
    with pytest.raises(PhotoError) as err:
        photos.process(store, data, name)
    assert _files(store) == [], "nothing is written for a refused file"
    return err.value.message


def test_a_truncated_photo_is_refused(store):
    i18n.set_language("en")
    data = jpeg(size=(1600, 1200), quality=95)
    message = _refused(store, data[: len(data) * 2 // 3], "cut.jpg")
    assert "cut.jpg" in message and "incomplete or damaged" in message


def test_a_decompression_bomb_is_refused(store):
    i18n.set_language("en")
    data = png_bomb()
    assert len(data) < 1000
    message = _refused(store, data, "bomb.png")
    assert "bomb.png" in message and "decompression bomb" in message


def test_a_file_that_is_not_a_picture_is_refused(store):
    i18n.set_language("en")
    assert "not a picture" in _refused(store, b"%PDF-1.7 not a photo", "scan.pdf")
    assert "empty" in _refused(store, b"", "empty.jpg")
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert "GIF" in _refused(store, gif.getvalue(), "anim.gif")


def test_messages_are_in_the_users_language(store):
    i18n.set_language("zh_CN")
    message = _refused(store, b"hello", "readme.txt")
    assert "readme.txt" in message and "不是" in message


def test_a_changed_file_on_disk_is_noticed(store):
    photo = photos.process(store, jpeg(), "a.jpg")
    store.attachment_path(photo.sha256).write_bytes(jpeg(colour="red"))
    with pytest.raises(PhotoError):
        photos.original_bytes(store, photo.sha256)


def test_process_file_reads_from_disk(store, tmp_path):
    path = tmp_path / "p.jpg"
    path.write_bytes(jpeg())
    assert photos.process_file(store, path).filename == "p.jpg"
    with pytest.raises(PhotoError):
        photos.process_file(store, tmp_path / "missing.jpg")
