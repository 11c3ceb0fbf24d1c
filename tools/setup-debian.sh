#!/bin/sh
# Install what pdp needs to build, test and fuzz on Debian 12 (run as root
# or through sudo). Safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  gcc clang clang-tools libclang-rt-14-dev llvm meson ninja-build pkg-config \
  libyaml-dev libpcre2-dev libcbor-dev libcriterion-dev \
  iso-codes python3 python3-yaml ca-certificates python3-jsonschema >/dev/null
