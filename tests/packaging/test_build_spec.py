"""The desktop build's set-up, checked in seconds (the build itself, `packaging/build.sh
--check`, takes minutes): what packaging/inspector.spec leaves out is never a module the
app or the command line imports, and the Linux build's one executable runs the program
its name says (packaging/frozen_main.py).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import inspector_app

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "inspector.spec"
FROZEN_MAIN = ROOT / "packaging" / "frozen_main.py"

# Imported inside `try: ... except ImportError`, so the build may leave them out.
OPTIONAL = {
    "PySide6.QtMultimedia": "the camera button stays hidden; photos come from files",
    "PySide6.QtMultimediaWidgets": "as QtMultimedia",
    "jsonschema_rs": "records import checks every entry with jsonschema (slower, the same "
                     "messages)",
}


def _spec_value(name: str):
    tree = ast.parse(SPEC.read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{SPEC.name} has no {name} = ...")


def _left_out(module: str, excludes: list[str]) -> bool:
    return any(module == ex or module.startswith(ex + ".") for ex in excludes)


def _imports_of(path: Path) -> set[str]:
    """Every absolute import in the file, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_spec_leaves_out_no_module_the_code_imports():
    excludes = _spec_value("excludes")
    assert "fastapi" in excludes and "PySide6.QtQml" in excludes  # the list was read
    sources = sorted((ROOT / "inspector_app").rglob("*.py")) + [FROZEN_MAIN]
    sources += [p for p in (ROOT / "sync").rglob("*.py") if "server" not in p.parts]
    wrong = sorted(f"{path.relative_to(ROOT)}: {name}" for path in sources
                   for name in _imports_of(path)
                   if _left_out(name, excludes) and not _left_out(name, list(OPTIONAL)))
    assert not wrong, "imported, yet excluded from the build:\n" + "\n".join(wrong)


# Installed as sitecustomize: the modules the spec excludes cannot be imported, as in the
# build. A `try: import` that falls back is fine; an ImportError that escapes is a build
# that would crash.
_ABSENT = """
import importlib.abc, sys

EXCLUDED = {excluded!r}

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == ex or name.startswith(ex + ".") for ex in EXCLUDED):
            raise ModuleNotFoundError(f"No module named {{name!r}} (left out of the build)",
                                      name=name)
        return None

sys.meta_path.insert(0, Absent())
"""

_IMPORT_ALL = """
import importlib.util, pkgutil, sys
import inspector_app
failed = []
for info in pkgutil.walk_packages(inspector_app.__path__, "inspector_app."):
    if "__main__" in info.name or ".migrations" in info.name:
        continue
    try:
        __import__(info.name)
    except ImportError as exc:
        if not any(str(exc.name or "").startswith(o) for o in {optional!r}):
            failed.append(f"{{info.name}}: {{exc}}")
# frozen_main under another name, so that its `__main__` block does not run
spec = importlib.util.spec_from_file_location("frozen_main", {frozen_main!r})
spec.loader.exec_module(importlib.util.module_from_spec(spec))
print("\\n".join(failed) or "ok")
"""


def _without_excluded(tmp_path: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "absent"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_ABSENT.format(excluded=_spec_value("excludes")))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               INSPECTOR_DATA_DIR=str(tmp_path / "data"),
               PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=600, env=env, check=False)


def test_every_module_of_the_app_imports_without_what_the_spec_leaves_out(tmp_path):
    code = _IMPORT_ALL.format(optional=sorted(OPTIONAL), frozen_main=str(FROZEN_MAIN))
    done = _without_excluded(tmp_path, ["-c", code])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok", done.stdout


def test_both_self_tests_pass_without_what_the_spec_leaves_out(tmp_path):
    """The self-tests open a store, save records, make every document and read their QR
    codes back, as the built programs' do (packaging/build.sh --check)."""
    cli = _without_excluded(tmp_path, ["-m", "inspector_app.cli", "self-test"])
    assert cli.returncode == 0, cli.stdout + cli.stderr
    app = _without_excluded(tmp_path, ["-m", "inspector_app", "--self-test"])
    assert app.returncode == 0, app.stdout + app.stderr
    assert "自检通过" in app.stdout.splitlines()[-1]


def test_the_app_starts_to_its_main_window_without_what_the_spec_leaves_out(tmp_path):
    done = _without_excluded(tmp_path, ["-m", "inspector_app", "--data-dir",
                                        str(tmp_path / "d"), "--quit-when-shown"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0::2] == ["shown", "ready"]  # the window, then the store


def _run_as(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    link = tmp_path / name
    link.symlink_to(FROZEN_MAIN)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               INSPECTOR_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([sys.executable, str(link), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, env=env, check=False)


def test_the_one_program_named_inspector_is_the_command_line(tmp_path):
    done = _run_as(tmp_path, "inspector", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"inspector {inspector_app.version()}"
    helped = subprocess.run(
        [sys.executable, str(tmp_path / "inspector"), "--lang", "en", "--help"],
        capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
        env=dict(os.environ, PYTHONPATH=str(ROOT), INSPECTOR_DATA_DIR=str(tmp_path / "d")))
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: inspector ")
    assert "self-test" in helped.stdout


def test_the_one_program_under_its_own_name_is_the_desktop_app(tmp_path):
    done = _run_as(tmp_path, "inspector-app", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"inspector-app {inspector_app.version()}"
    shown = subprocess.run(
        [sys.executable, str(tmp_path / "inspector-app"), "--data-dir", str(tmp_path / "d"),
         "--quit-when-shown"], capture_output=True, text=True, encoding="utf-8",
        timeout=120, check=False,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT)))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[0] == "shown"  # the main window was on the screen
    assert (tmp_path / "d" / "inspector.db").exists()
