#!/usr/bin/env bash
# Set up a fresh Linux machine (Python 3.11+) and run the app or the tests.
#
#   packaging/bootstrap.sh app [--demo [N]] [--data-dir DIR]   # start the desktop app
#   packaging/bootstrap.sh test [PYTEST ARGS]                   # run the whole test suite
#   packaging/bootstrap.sh bench [NAME ...] [--quick]           # run the benchmarks
#
# It makes .venv beside the checkout, installs the project into it, and installs the few
# system libraries Qt and the PDF tests need (with apt, when run as root or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-app}"
shift || true
PY="${PYTHON:-python3}"

system_packages() {
  # Qt's xcb/offscreen plugins, poppler for the PDF tests, chromium for the browser test.
  local need=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
              libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
              libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 poppler-utils)
  # A headless browser for the test of the published bulletin page (tests/sync/test_bulletins.py;
  # Debian names it chromium, older Ubuntu chromium-browser).
  if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    if command -v apt-cache >/dev/null && apt-cache show chromium >/dev/null 2>&1; then
      need+=(chromium)
    else
      need+=(chromium-browser)
    fi
  fi
  local missing=()
  for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if command -v apt-get >/dev/null; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Please install the equivalents of: ${missing[*]}" >&2
  fi
}

command -v dpkg-query >/dev/null && system_packages
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# The versions the suite last passed with (packaging/lock.sh refreshes the file). Other
# Python versions install from pyproject.toml's ranges alone, with a warning.
pyver=$(.venv/bin/python -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
lock="packaging/constraints-py${pyver}.txt"
if [ -f "$lock" ] && [ -z "${INSPECTOR_UNLOCKED:-}" ]; then
  export PIP_CONSTRAINT="$PWD/$lock"
  .venv/bin/python -m pip install -q "pip==$(sed -n 's/^pip==//p' "$lock")"
else
  echo "note: no $lock; installing the newest versions pyproject.toml allows" >&2
  .venv/bin/python -m pip install -q --upgrade pip
fi
# The build tools come from the same file: the project builds in this venv, not in an
# isolated one that would fetch the newest setuptools.
.venv/bin/python -m pip install -q --upgrade setuptools wheel
.venv/bin/python -m pip install -q --no-build-isolation -e '.[test]'

case "$what" in
  app)   exec .venv/bin/inspector-app "$@" ;;
  test)  QT_QPA_PLATFORM=offscreen exec .venv/bin/python -m pytest "$@" ;;
  bench) QT_QPA_PLATFORM=offscreen exec .venv/bin/python benchmarks/run.py "$@" ;;
  *)     echo "usage: $0 {app|test|bench} [args]" >&2; exit 2 ;;
esac
