#!/usr/bin/env bash
# Installs what AxFormer Studio needs from Debian 12's packages (only what is missing), then
# configures and builds it in ./build. Safe to run again: it only does what is left to do.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${AXFORMER_BUILD_DIR:-$root/build}"

packages=(
  g++ cmake ninja-build pkg-config
  libtorch-dev libopenblas0-openmp        # LibTorch 1.13 (CPU) on OpenBLAS, not the 50x slower reference BLAS
  qt6-base-dev libqcustomplot-dev         # Qt 6 widgets and QCustomPlot's Qt 6 build
  qt6-svg-dev                             # SVG export of the plots
  nlohmann-json3-dev libicu-dev           # JSON, Unicode tables for the tokenizer
  xvfb xauth                              # headless runs of the studio (screenshots)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# CI builds treat warnings as errors; a user's build does not stop on a new compiler's warning.
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAX_WARNINGS_AS_ERRORS="$werror" \
  -DAXFORMER_SHARED="${AXFORMER_SHARED:-$root/../shared}" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
