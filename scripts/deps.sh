#!/usr/bin/env bash
# Installs the Debian packages eiota needs to build and test, when they are missing.
set -euo pipefail
pkgs="build-essential cmake pkg-config make libsodium-dev libzip-dev libcli11-dev nlohmann-json3-dev
      libflatbuffers-dev flatbuffers-compiler libgtest-dev libgmock-dev libbenchmark-dev gcc-arm-none-eabi
      libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib zip unzip
      libcpp-httplib-dev libsqlite3-dev libpq-dev postgresql nginx wrk clang libclang-rt-14-dev qemu-system-arm"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "deps: installing$missing" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
