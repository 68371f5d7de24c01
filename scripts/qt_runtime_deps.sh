#!/usr/bin/env bash
# The Debian packages Qt's xcb platform plugin (PySide6) needs to open the till's window on a
# desktop. Found by ldd of PySide6's libqxcb.so, libQt6XcbQpa, libQt6Gui and libQt6Widgets on
# Debian 12, run with QT_DEBUG_PLUGINS=1 under Xvfb. Installed with apt where this runs as root;
# otherwise named in one message (exit 1). Not Debian (no dpkg): nothing checked.
set -euo pipefail

PACKAGES=(
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1 libxcb1 libx11-xcb1 libx11-6 libxkbcommon-x11-0 libxkbcommon0
  libegl1 libgl1 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 fonts-noto-cjk
)

command -v dpkg-query >/dev/null 2>&1 || exit 0

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing what Qt needs to show the till: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  }
  exit 0
fi

echo "The till's window needs these Debian packages, which are not installed: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install ${missing[*]}" >&2
exit 1
