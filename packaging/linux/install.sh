#!/usr/bin/env bash
# Install the one-folder build (packaging/build.sh) on Linux, with its menu entry and icon.
#
#   packaging/linux/install.sh [--user] [PREFIX]   # default /opt/inspector as root, else
#                                                  # (or with --user) ~/.local/opt/inspector
#   packaging/linux/install.sh --uninstall [--user] [PREFIX]
#
# The program goes to PREFIX; the desktop entry (Exec= the installed inspector-app) and the
# icon go to the system's or the user's applications and icons folders; `inspector` and
# `inspector-app` are linked into /usr/local/bin (root) or ~/.local/bin. The data folder
# is not touched: uninstalling keeps every record.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
uninstall=0 user=0
[ "${1:-}" = "--uninstall" ] && { uninstall=1; shift; }
[ "${1:-}" = "--user" ] && { user=1; shift; }
[ "$(id -u)" -eq 0 ] || user=1
if [ "$user" = 0 ]; then
  prefix="${1:-/opt/inspector}" share=/usr/share bin=/usr/local/bin
else
  prefix="${1:-$HOME/.local/opt/inspector}" share="${XDG_DATA_HOME:-$HOME/.local/share}"
  bin="$HOME/.local/bin"
fi
desktop="$share/applications/inspector-app.desktop"
icon="$share/icons/hicolor/256x256/apps/inspector-app.png"

if [ "$uninstall" = 1 ]; then
  rm -rf "$prefix" "$desktop" "$icon" "$bin/inspector" "$bin/inspector-app"
  echo "removed $prefix (the data folder is kept)"
  exit 0
fi
src="$root/dist/inspector"
[ -x "$src/inspector-app" ] || { echo "no build in $src: run packaging/build.sh" >&2; exit 1; }
mkdir -p "$prefix" "$(dirname "$desktop")" "$(dirname "$icon")" "$bin"
cp -a "$src/." "$prefix/"
install -m 644 "$root/inspector_app/assets/inspector.png" "$icon"
sed -e "s|^Exec=.*|Exec=$prefix/inspector-app|" -e "s|^TryExec=.*|TryExec=$prefix/inspector-app|" \
  "$here/inspector-app.desktop" > "$desktop"
ln -sf "$prefix/inspector-app" "$bin/inspector-app"
ln -sf "$prefix/inspector" "$bin/inspector"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$(dirname "$desktop")" || true
echo "installed $("$prefix/inspector-app" --version) in $prefix; menu entry $desktop"
