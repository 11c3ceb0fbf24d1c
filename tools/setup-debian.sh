#!/bin/sh
# Install what pdp needs to build, test and fuzz on Debian 12 (and what the
# tinyIoT end-to-end test needs to build tinyIoT). Run it as
# root, or as a user with sudo (it re-runs itself through sudo). Safe to run
# again.
set -eu
if [ "$(id -u)" != 0 ]; then
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  gcc clang clang-tools libclang-rt-14-dev llvm meson ninja-build pkg-config \
  libyaml-dev libpcre2-dev libcbor-dev libsodium-dev libcriterion-dev \
  iso-codes python3 python3-yaml ca-certificates python3-jsonschema \
  make patch libssl-dev libsqlite3-dev libwebsockets-dev scdoc man-db binutils \
  valgrind \
  chromium >/dev/null
