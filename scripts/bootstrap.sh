#!/usr/bin/env bash
# Installs what AxFormer Studio needs from Debian 12's packages (only what is missing), then
# configures and builds it in ./build. Safe to run again: it only does what is left to do.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${AXFORMER_BUILD_DIR:-$root/build}"
source "$root/scripts/lib/ensure_packages.sh"

ensure_packages "${build_packages[@]}"

# CI builds treat warnings as errors; a user's build does not stop on a new compiler's warning.
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAX_WARNINGS_AS_ERRORS="$werror" \
  -DAXFORMER_SHARED="${AXFORMER_SHARED:-$root/../shared}" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
