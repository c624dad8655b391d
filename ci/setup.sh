#!/usr/bin/env bash
# ci/setup.sh: install esbench's build dependencies (Debian packages; skipped
# when already installed) and build it into ./build.
#
#   ci/setup.sh                 install what is missing, configure, build
#   BUILD_DIR=b ci/setup.sh     build elsewhere
#   CMAKE_ARGS="-DESBENCH_SANITIZE=ON" ci/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config python3
          libcurl4-openssl-dev libcjson-dev libgsl-dev libpcre2-dev libyaml-dev
          libsqlite3-dev libssl-dev libarchive-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ci/setup.sh: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build=${BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
echo "ci/setup.sh: built $build/esbench" >&2
