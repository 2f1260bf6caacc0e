#!/usr/bin/env bash
# Refresh packaging/constraints-pyX.Y.txt, the versions bootstrap.sh installs.
#
#   packaging/lock.sh
#
# Installs the newest versions pyproject.toml allows into a fresh venv, runs the whole test
# suite there, and only if it passes writes what was installed to the constraints file for
# this Python version. Review the diff and commit it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
"$PY" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip setuptools wheel
"$venv/bin/python" -m pip install -q --no-build-isolation -e '.[test]'
QT_QPA_PLATFORM=offscreen "$venv/bin/python" -m pytest -q -p no:cacheprovider
pyver=$("$venv/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
out="packaging/constraints-py${pyver}.txt"
{
  echo "# The versions the test suite passed with on Python ${pyver} ($(date -u +%Y-%m-%d))."
  echo "# Made by packaging/lock.sh; packaging/bootstrap.sh installs exactly these."
  "$venv/bin/python" -m pip freeze --all --exclude-editable | grep -v '^inspector=='
} > "$out"
echo "wrote $out"
