"""Reading a PDF back as a reader would: pdftotext text and the position of every line
(pdftotext -bbox-layout). Shared by the document tests; import it as `pdf_lines` (the tests
folder is on sys.path through its conftest.py)."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

NS = {"x": "http://www.w3.org/1999/xhtml"}


@dataclass
class TextLine:
    """One line as pdftotext finds it: its words joined, and its box in points (y down)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def _file(pdf: bytes, tmp_path: Path, name: str) -> Path:
    path = Path(tmp_path) / name
    path.write_bytes(pdf)
    return path


def page_texts(pdf: bytes, tmp_path: Path, layout: bool = True, raw: bool = False
               ) -> list[str]:
    """The text of each page (`pdftotext -layout`; `-raw`: in drawing order)."""
    path = _file(pdf, tmp_path, "read.pdf")
    mode = ["-raw"] if raw else ["-layout"] if layout else []
    args = ["pdftotext", *mode, str(path), "-"]
    out = subprocess.run(args, check=True, capture_output=True).stdout.decode("utf-8")
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def flat(text: str) -> str:
    """`text` without any white space (table cells and justified lines space their text)."""
    return "".join(text.split())


def lines(pdf: bytes, tmp_path: Path) -> list[list[TextLine]]:
    """Every line of every page with its box."""
    path = _file(pdf, tmp_path, "bbox.pdf")
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], check=True,
                         capture_output=True).stdout
    root = ET.fromstring(out)
    pages = []
    for page in root.iter(f"{{{NS['x']}}}page"):
        found = []
        for line in page.iter(f"{{{NS['x']}}}line"):
            words = [w.text or "" for w in line.findall("x:word", NS)]
            found.append(TextLine("".join(words), float(line.get("xMin")),
                                  float(line.get("yMin")), float(line.get("xMax")),
                                  float(line.get("yMax"))))
        pages.append(found)
    return pages


def words(pdf: bytes, tmp_path: Path) -> list[list[TextLine]]:
    """Every word of every page with its box (a table's cells are apart even where
    pdftotext joins them into one line)."""
    path = _file(pdf, tmp_path, "words.pdf")
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True,
                         capture_output=True).stdout
    root = ET.fromstring(out)
    return [[TextLine(w.text or "", float(w.get("xMin")), float(w.get("yMin")),
                      float(w.get("xMax")), float(w.get("yMax")))
             for w in page.iter(f"{{{NS['x']}}}word")]
            for page in root.iter(f"{{{NS['x']}}}page")]
