#!/usr/bin/env bash
# Write build/requirements-local.txt: requirements.txt without its `--extra-index-url` line (PyTorch's CPU
# wheel index). The test machines cannot reach that index, and pip spends ~7 s of retries per package on an
# unreachable index; they carry the CPU wheel locally instead. Prints the path it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
grep -v '^--extra-index-url https://download.pytorch.org/whl/cpu$' requirements.txt > build/requirements-local.txt
echo build/requirements-local.txt
