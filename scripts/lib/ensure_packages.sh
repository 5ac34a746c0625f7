# Sourced by the scripts: what the build needs from Debian 12 (build_packages), and
# ensure_packages PACKAGE..., which installs with apt-get those not installed yet (through sudo
# unless run as root).
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  echo "Installing ${missing[*]}"
  local sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Everything the build and the tests need.
build_packages=(
  g++ cmake ninja-build pkg-config
  libtorch-dev libopenblas0-openmp        # LibTorch 1.13 (CPU) on OpenBLAS, not the 50x slower reference BLAS
  libdnnl-dev                             # oneDNN's headers: attention's products, dense projections
  libgloo-dev                             # headers of Gloo, the c10d backend of distributed runs
  qt6-base-dev libqcustomplot-dev         # Qt 6 widgets and QCustomPlot's Qt 6 build
  qt6-svg-dev                             # SVG export of the plots
  nlohmann-json3-dev libicu-dev           # JSON, Unicode tables for the tokenizer
  xvfb xauth                              # headless runs of the studio (screenshots)
  dpkg-dev                                # the .deb's dependencies (dpkg-shlibdeps, in cpack)
  appstream desktop-file-utils man-db     # the package test validates its metadata and man pages
)
