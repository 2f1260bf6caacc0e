"""Help → About: the version from the package metadata, the data folder, the bundled fonts
and their licences; and the application icon."""

from __future__ import annotations

from importlib import metadata

import inspector_app
from inspector_app.core.resources import fonts_dir
from inspector_app.ui.about import AboutDialog


def _menu_titles(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def test_about_dialog_from_the_help_menu(qtbot, window):
    assert "帮助(&H)" in _menu_titles(window)
    window.about_action.trigger()
    qtbot.waitUntil(lambda: isinstance(getattr(window, "about_dialog", None), AboutDialog)
                    and window.about_dialog.isVisible())
    dialog = window.about_dialog
    assert dialog.windowTitle() == "关于市场质量检查"
    summary = dialog.summary.text()
    assert metadata.version(inspector_app.DISTRIBUTION) in summary
    assert f"数据文件夹：{window.store.data_dir}" in summary
    fonts = sorted(p.name for p in fonts_dir().iterdir() if p.suffix in (".ttf", ".ttc", ".otf"))
    assert fonts
    for name in fonts:
        line = next(line for line in summary.splitlines() if line.startswith(name + "："))
        assert len(line) > len(name) + 5  # a licence follows the file name
    assert "NotoSerifSC-Regular-subset.ttf：SIL 开放字体许可协议 1.1" in summary
    assert "BabelStoneHan-subset.ttf：文鼎公众许可证" in summary
    licences = dialog.licences.toPlainText()
    files = sorted(fonts_dir().glob("LICENSE*"))
    assert files
    for path in files:
        assert f"==== {path.name} ====" in licences
        first = next(line for line in path.read_text("utf-8").splitlines() if line.strip())
        assert first in licences
    assert "Apache" in licences
    dialog.reject()


def test_the_main_window_has_the_app_icon(qtbot, window):
    icon = window.windowIcon()
    assert not icon.isNull()
    assert max(s.width() for s in icon.availableSizes()) >= 256
    image = icon.pixmap(64, 64).toImage()
    assert image.pixelColor(32, 8).blue() > 120  # the blue square, not an empty picture
