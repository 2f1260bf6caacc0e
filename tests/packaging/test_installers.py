"""The desktop entry, the Linux install script and the Inno Setup script agree with the
build: the program names, the icon, the Start-menu entry."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / "linux" / "inspector-app.desktop"


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_runs_the_installed_program():
    entry = _entry(DESKTOP)
    assert entry["Exec"] == "/opt/inspector/inspector-app" == entry["TryExec"]
    assert entry["Icon"] == "inspector-app" and entry["Name[zh_CN]"] == "市场质量检查"
    spec = (ROOT / "packaging" / "inspector.spec").read_text("utf-8")
    assert 'name="inspector-app"' in spec and 'name="inspector"' in spec


def test_install_script_writes_the_install_folder_into_the_entry(tmp_path):
    """A fake build (two shell scripts) installed for a user: the entry's Exec is the
    installed program and runs; uninstalling removes it and nothing else."""
    fake = tmp_path / "checkout"
    shutil.copytree(ROOT / "packaging" / "linux", fake / "packaging" / "linux")
    (fake / "inspector_app" / "assets").mkdir(parents=True)
    shutil.copy2(ROOT / "inspector_app" / "assets" / "inspector.png",
                 fake / "inspector_app" / "assets")
    dist = fake / "dist" / "inspector"
    dist.mkdir(parents=True)
    for name in ("inspector-app", "inspector"):
        (dist / name).write_text(f"#!/bin/sh\necho {name} 9.9\n")
        (dist / name).chmod(0o755)
    home = tmp_path / "home"
    prefix = home / "apps" / "inspector"
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    script = fake / "packaging" / "linux" / "install.sh"
    share = home / ".local" / "share"
    done = subprocess.run([str(script), "--user", str(prefix)], env=env, capture_output=True, check=False,
                          text=True)
    assert done.returncode == 0, done.stderr
    entry = _entry(share / "applications" / "inspector-app.desktop")
    assert entry["Exec"] == entry["TryExec"] == str(prefix / "inspector-app")
    out = subprocess.run([entry["Exec"], "--version"], capture_output=True, text=True, check=False).stdout
    assert out.strip() == "inspector-app 9.9"
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / "inspector-app.png").is_file()
    assert (home / ".local" / "bin" / "inspector").resolve() == prefix / "inspector"
    data = home / ".local" / "share" / "Inspector"  # a data folder: never removed
    data.mkdir()
    done = subprocess.run([str(script), "--uninstall", "--user", str(prefix)], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert not prefix.exists() and not (share / "applications" / "inspector-app.desktop").exists()
    assert data.is_dir()


def test_windows_installer_has_a_start_menu_entry():
    iss = (ROOT / "packaging" / "windows" / "inspector.iss").read_text("utf-8")
    assert 'Source: "..\\..\\dist\\inspector\\*"' in iss
    assert '#define AppExe "inspector-app.exe"' in iss
    assert 'Name: "{group}\\{#AppNameZh}"; Filename: "{app}\\{#AppExe}"' in iss
    assert "SetupIconFile=inspector.ico" in iss
    assert (ROOT / "packaging" / "windows" / "inspector.ico").read_bytes()[:4] == b"\0\0\1\0"
