#!/usr/bin/env bash
# Installs, builds and runs every test. Tests that need ../shared (real GLUE data, reference
# outputs) skip with a message when it is absent, and fail instead under CI=true.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "${AXFORMER_BUILD_DIR:-$root/build}"
ctest --output-on-failure --parallel "$(nproc)" "$@"
