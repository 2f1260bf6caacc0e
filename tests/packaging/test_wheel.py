"""The wheel a plain `pip wheel .` makes carries everything the app reads at run time, and
installed into a fresh venv it passes the self-test of all three entry points.

The venv gets the wheel alone (--no-deps); its dependencies come from the venv running
the tests, added behind it with a .pth line (so that venv's editable install of the
checkout is not seen: .pth files in a directory added that way are not processed). The
checkout is not on sys.path: the programs run from the wheel's files. About 30 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["inspector_app", "sync", "resources", "pyproject.toml", "setup.py", "README.md"]
SERVER_ONLY = {"fastapi", "uvicorn", "psycopg", "psycopg-binary", "jsonschema-rs", "starlette",
               "swagger-ui-bundle-v2"}


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH (it may point at the checkout), none of the app's own settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "INSPECTOR_"))}


def _run(args, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8",
                          timeout=600, check=False, env=env or _clean_env(), **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the checkout's files, so no old build/ folder leaks in."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("wheel")
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "-q", "-w", str(out), str(src)])
    assert done.returncode == 0, done.stderr
    [built] = out.glob("inspector-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("venv") / "venv"
    done = _run([sys.executable, "-m", "venv", "--without-pip", str(home)])
    assert done.returncode == 0, done.stderr
    site = Path(_run([str(home / "bin" / "python"), "-c",
                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                     ).stdout.strip())
    done = _run([sys.executable, "-m", "pip", "--python", str(home / "bin" / "python"),
                 "install", "--no-deps", "-q", str(wheel)])
    assert done.returncode == 0, done.stderr
    assert list(site.glob("inspector-*.dist-info")), "pip did not install the wheel"
    # After the install, or pip would see the editable install there and skip the wheel.
    (site / "zz_shared_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return home


def _env(tmp_path) -> dict[str, str]:
    env = _clean_env()
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), PYTHONIOENCODING="utf-8")
    return env


def test_the_wheel_carries_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = []
    for path in (ROOT / "inspector_app").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py" \
                and path.name != "README.md":
            expected.append(path.relative_to(ROOT).as_posix())
    for path in (ROOT / "resources").rglob("*"):
        if path.is_file() and path.suffix != ".po":
            expected.append("inspector_app/" + path.relative_to(ROOT).as_posix())
    assert "inspector_app/resources/fonts/wqy-microhei-subset.ttf" in expected  # the screen's
    assert any(n.endswith(".mo") for n in expected)
    assert any(n.startswith("inspector_app/forms/definitions/") for n in expected)
    missing = sorted(set(expected) - names)
    assert not missing, missing


def test_the_desktop_wheel_needs_no_server_package(wheel):
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        requires = [line.split(":", 1)[1].strip() for line in z.read(meta).decode().splitlines()
                    if line.startswith("Requires-Dist:")]
    base = [r for r in requires if "extra ==" not in r]
    names = {r.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip()
             .lower().replace("_", "-") for r in base}
    assert names and not names & SERVER_ONLY, names
    server = [r for r in requires if 'extra == "server"' in r]
    assert any(r.startswith("fastapi") for r in server)


def test_installed_wheel_passes_the_self_test(venv, tmp_path):
    bin_ = venv / "bin"
    done = _run([str(bin_ / "inspector-app"), "--self-test"], cwd=tmp_path, env=_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("自检通过"), done.stdout
    # The fonts and catalogs came from the installed package, not from the checkout.
    resources = next(line for line in lines if "资源文件" in line)
    assert str(venv) in resources and str(ROOT) not in resources, resources
    for step in ("标识检查", "查封扣押", "工作站日志", "文书", "二维码", "审计", "Qt"):
        assert any(line.startswith("  通过　" + step) for line in lines), (step, done.stdout)
    assert "Traceback" not in done.stdout + done.stderr


def test_installed_programs_show_one_version(venv, tmp_path):
    version = metadata.version("inspector")
    for program in ("inspector-app", "inspector", "inspector-server"):
        done = _run([str(venv / "bin" / program), "--version"], cwd=tmp_path,
                    env=_env(tmp_path))
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"{program} {version}"


def test_installed_cli_speaks_chinese_and_prints_a_notice(venv, tmp_path):
    env = _env(tmp_path)
    env["INSPECTOR_DATA_DIR"] = str(tmp_path / "data")
    done = _run([str(venv / "bin" / "inspector"), "--help"], cwd=tmp_path, env=env)
    assert done.returncode == 0 and "用法" in done.stdout, done.stdout + done.stderr
    done = _run([str(venv / "bin" / "inspector"), "self-test"], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "data").exists()  # the self-test used a folder of its own
