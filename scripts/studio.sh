#!/usr/bin/env bash
# The main job: installs, builds and opens AxFormer Studio. Arguments go to the studio, e.g.
#   scripts/studio.sh --model ~/models/my-bert
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
exec "${AXFORMER_BUILD_DIR:-$root/build}/app/axformer-studio" "$@"
