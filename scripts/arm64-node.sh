#!/usr/bin/env bash
# Unpacks Debian's arm64 node (nodejs:arm64, Node 18, Node-API 9) and the libraries it needs into
# build-arm64-node/ (or $1), for scripts/check-arm64.js to run the arm64 prebuild under
# qemu-user. The packages are unpacked with `dpkg -x`, not installed: nodejs:arm64 is not
# co-installable with the host's amd64 node and would replace /usr/bin/node. glibc, libstdc++ and
# libgcc for arm64 come from Debian's cross packages (/usr/aarch64-linux-gnu); the node-* packages
# hold the builtins Debian's node loads from /usr/share/nodejs. Needs root (apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$(realpath -m "${1:-build-arm64-node}")"
export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends g++-aarch64-linux-gnu libc6-arm64-cross qemu-user >/dev/null
debs="$(mktemp -d)"
trap 'rm -rf "$debs"' EXIT
(cd "$debs" && apt-get download -qq \
  nodejs:arm64 libnode108:arm64 libbrotli1:arm64 libc-ares2:arm64 libicu72:arm64 libnghttp2-14:arm64 \
  libssl3:arm64 libuv1:arm64 zlib1g:arm64 node-acorn node-cjs-module-lexer node-undici)
rm -rf "$dest"
mkdir -p "$dest/lib"
for deb in "$debs"/*.deb; do dpkg -x "$deb" "$dest"; done
ln -sf /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 "$dest/lib/ld-linux-aarch64.so.1"
echo "arm64 node unpacked in $dest"
