#!/usr/bin/env bash
# Install what the tests need (dev requirements, Debian's chromium if missing), then lint and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/local-requirements.sh >/dev/null
python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# The browser tests use Debian's chromium; the emoji font only makes the README screenshots show page icons.
if [ ! -x /usr/bin/chromium ] || ! command -v haproxy >/dev/null || [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium haproxy fonts-noto-color-emoji
fi

python -m ruff check .
# pytest exits 5 when no test ran; set -e turns that (and any failure) into a failed run.
if [ "$#" -gt 0 ]; then
  python -m pytest -q "$@"
  exit 0
fi
# Unit and AppTest tests on both cores (pytest-xdist: each worker its own process, its own training pool); the
# browser tests after them, one at a time, so no other test competes with what they time and wait for.
python -m pytest -q -n 2 tests/unit tests/app
python -m pytest -q tests/e2e

# The tests whose outcome depends on a training trajectory (marker `trains`) once more on each of two other
# kernel paths: torch's plain and AVX2 kernels, with MKL, OpenBLAS and numpy held to the matching instruction
# sets. The run above used this machine's own. A result that holds on one processor family only fails here.
plain=(ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 OPENBLAS_CORETYPE=Prescott
       NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR")
avx2=(ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 OPENBLAS_CORETYPE=Haswell
      NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR")
# The two reruns side by side (about two and a half minutes instead of four); each one's output follows.
logs=$(mktemp -d)
env "${plain[@]}" python -m pytest -q -m trains -p no:cacheprovider > "$logs/plain.txt" 2>&1 & plain_pid=$!
env "${avx2[@]}" python -m pytest -q -m trains -p no:cacheprovider > "$logs/avx2.txt" 2>&1 & avx2_pid=$!
status=0
wait "$plain_pid" || status=1
wait "$avx2_pid" || status=1
echo "-- trains, torch's plain kernels:"; cat "$logs/plain.txt"
echo "-- trains, torch's AVX2 kernels:"; cat "$logs/avx2.txt"
exit "$status"
