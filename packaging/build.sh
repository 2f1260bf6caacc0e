#!/usr/bin/env bash
# The one-folder desktop build: dist/inspector/ with `inspector-app` and `inspector`, and
# its archive dist/inspector-VERSION-PLATFORM.tar.xz.
#
#   packaging/build.sh            # build (PyInstaller, packaging/inspector.spec)
#   packaging/build.sh --check    # build, then check it: the self-test of both programs
#                                 # with no Python on PATH, and the size limits
#   packaging/build.sh --check --no-build   # check the build that is there
#
# Python: $PYTHON, else .venv/bin/python (packaging/bootstrap.sh makes it); PyInstaller is
# installed into it from the [build] extra, at the version of the constraints file.
# The ICU trim (packaging/icu_trim.py) needs icu-devtools and gcc (apt-get install
# icu-devtools gcc). About 3 minutes of CPU for PyInstaller and the trim, and as much
# again for xz.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0 build=1
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--check] [--no-build]" >&2; exit 2 ;;
  esac
done

MAX_FOLDER_MB=180
MAX_ARCHIVE_MB=80
PY="${PYTHON:-.venv/bin/python}"
dist=dist/inspector
version=$("$PY" -c 'import inspector_app; print(inspector_app.version())')
platform=$("$PY" -c 'import sys, platform; print(f"{sys.platform}-{platform.machine()}")')
archive="dist/inspector-${version}-${platform}.tar.xz"

if [ "$build" = 1 ]; then
  if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
    pyver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    lock="packaging/constraints-py${pyver}.txt"
    [ -f "$lock" ] && export PIP_CONSTRAINT="$PWD/$lock"
    "$PY" -m pip install -q pyinstaller pyinstaller-hooks-contrib
  fi
  start=$(date +%s)
  nice -n 10 "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/inspector.spec
  "$PY" packaging/icu_trim.py "$dist"  # ICU data: 30 MB -> 2 MB (needs icu-devtools, gcc)
  built=$(date +%s)
  rm -f "$archive"
  tar -C dist -cf - inspector | nice -n 10 xz -T0 -6 > "$archive"
  echo "built $dist in $(( built - start )) s, and $archive in $(( $(date +%s) - built )) s more"
fi

[ -x "$dist/inspector-app" ] || { echo "no build in $dist" >&2; exit 1; }
# MB here are MiB (2^20 bytes), as du -sk / 1024 counts them.
folder_mb=$(( $(du -sk "$dist" | cut -f1) / 1024 ))
archive_mb=$([ -f "$archive" ] && echo $(( $(stat -c %s "$archive") / 1048576 )) || echo "?")
echo "size: folder ${folder_mb} MB ($(du -sb "$dist" | cut -f1) bytes)," \
     "archive ${archive_mb} MB ($(stat -c %s "$archive" 2>/dev/null || echo ?) bytes)"
[ "$check" = 1 ] || exit 0

# The check: a clean environment, no Python on PATH, a home of its own.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
clean=(env -i PATH=/usr/bin:/bin HOME="$home" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8)
failed=0
for program in inspector-app inspector; do
  shown=$("${clean[@]}" "$dist/$program" --version) || failed=1
  if [ "$shown" != "$program $version" ]; then
    echo "FAILED: $program --version says '$shown', not '$program $version'" >&2; failed=1
  fi
done
"${clean[@]}" "$dist/inspector-app" --self-test || failed=1
"${clean[@]}" "$dist/inspector" self-test > "$home/cli.txt" || { cat "$home/cli.txt"; failed=1; }
tail -1 "$home/cli.txt"
# The app up to its main window and sign-in (a new store: set-up), as a user starts it.
shown=$("${clean[@]}" "$dist/inspector-app" --data-dir "$home/data" --quit-when-shown) \
  || { echo "FAILED: the app did not start: $shown" >&2; failed=1; }
echo "main window: ${shown//$'\n'/, } s"
# Every library in the folder finds the libraries it links (in the folder, or the system's
# for those the spec leaves to the system), so nothing the spec drops is still needed.
missing=$(find "$dist/_internal" -type f -name '*.so*' -print0 | while IFS= read -r -d '' lib; do
  LD_LIBRARY_PATH="$dist/_internal" ldd "$lib" 2>/dev/null | sed -n "s|^\t*\(.*\) => not found|${lib#"$dist/"}: \1|p"
done)
if [ -n "$missing" ]; then
  echo "FAILED: libraries not found:" >&2; echo "$missing" >&2; failed=1
fi
if [ "$folder_mb" -gt "$MAX_FOLDER_MB" ]; then
  echo "FAILED: the folder is ${folder_mb} MB, more than ${MAX_FOLDER_MB} MB" >&2; failed=1
fi
if [ "$archive_mb" != "?" ] && [ "$archive_mb" -gt "$MAX_ARCHIVE_MB" ]; then
  echo "FAILED: the archive is ${archive_mb} MB, more than ${MAX_ARCHIVE_MB} MB" >&2; failed=1
fi
[ "$failed" = 0 ] && echo "build check passed" || { echo "build check FAILED" >&2; exit 1; }
