"""The one PDF rasteriser: pages of a PDF as pixels (pypdfium2; no Qt).

The preview draws and prints the pages it renders here, the QR check reads codes from
them. PDFium is not thread-safe, so every call into it holds `LOCK` (the preview paints
on the main thread while a worker may be reading a code).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

LOCK = threading.RLock()


@dataclass(frozen=True)
class Pixels:
    """A page's pixels, 4 bytes each, blue-green-red-unused (Qt's `Format_RGB32` on a
    little-endian machine), rows `stride` bytes apart."""

    data: bytes
    width: int
    height: int
    stride: int


class Pages:
    """The pages of PDF `data`: their count, their sizes in points, and each rendered at a
    given width. An unreadable PDF has no pages. Nothing stays open between calls."""

    def __init__(self, data: bytes):
        self.data = data
        try:
            with LOCK:
                pdf = self._open()
                try:
                    self.sizes = [tuple(pdf[i].get_size()) for i in range(len(pdf))]
                finally:
                    pdf.close()
        except Exception:  # noqa: BLE001 - pypdfium2 raises PdfiumError and others
            self.sizes = []

    def _open(self):
        import pypdfium2

        return pypdfium2.PdfDocument(self.data)

    def __len__(self) -> int:
        return len(self.sizes)

    def size(self, index: int) -> tuple[float, float]:
        """Page `index`'s width and height in points; (0, 0) for no such page."""
        return self.sizes[index] if 0 <= index < len(self.sizes) else (0.0, 0.0)

    def render(self, index: int, width: int) -> Pixels | None:
        """Page `index` `width` pixels wide (its height in the page's shape)."""
        page_w, _page_h = self.size(index)
        if page_w <= 0 or width <= 0:
            return None
        with LOCK:
            pdf = self._open()
            try:
                page = pdf[index]
                bitmap = page.render(scale=width / page_w, prefer_bgrx=True)
                pixels = Pixels(bytes(bitmap.buffer), bitmap.width, bitmap.height,
                                bitmap.stride)
                bitmap.close()
                page.close()
                return pixels
            finally:
                pdf.close()


def page_images(data: bytes, dpi: int = 200) -> Iterator:
    """Each page of PDF `data` as a greyscale PIL image at `dpi`."""
    with LOCK:
        pdf = Pages(data)._open()
        count = len(pdf)
    try:
        for i in range(count):
            with LOCK:
                page = pdf[i]
                image = page.render(scale=dpi / 72, grayscale=True).to_pil()
                page.close()
            yield image
    finally:
        with LOCK:
            pdf.close()
