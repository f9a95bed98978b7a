#!/usr/bin/env bash
# Install what the tests need (dev requirements, Debian's chromium if missing), then lint and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# The browser tests use Debian's chromium; the emoji font only makes the README screenshots show page icons.
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-color-emoji
fi

python -m ruff check .
# pytest exits 5 when no test ran; set -e turns that (and any failure) into a failed run.
python -m pytest -q "$@"
