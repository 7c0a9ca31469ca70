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
chown _apt "$debs" 2>/dev/null || true # apt-get download runs as _apt where it can
trap 'rm -rf "$debs"' EXIT
# nodejs:arm64 and what it depends on, transitively, read from apt (so the names of this Debian
# release, e.g. libnode108 and libicu72 on bookworm), except what the cross packages provide.
# A dependency on a virtual package (node-acorn:arm64) takes its first provider (node-acorn).
# Only arm64 packages are followed further: the architecture-independent node-* ones hold the
# JavaScript builtins, and their own dependencies (nodejs, python3, ...) are not needed here.
depsOf() {
  apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances "$1" | awk '
      /^  (Pre)?Depends: </ { virtual = 1; next }
      /^  (Pre)?Depends: / { virtual = 0; print $2; next }
      /^    / && virtual { print $1; virtual = 0 }'
}
pkgs=(nodejs:arm64)
todo=(nodejs:arm64)
while ((${#todo[@]})); do
  pkg="${todo[0]}"
  todo=("${todo[@]:1}")
  for dep in $(depsOf "$pkg"); do
    case "${dep%:arm64}" in libc6 | libstdc++6 | libgcc-s1) continue ;; esac
    if [[ " ${pkgs[*]} " != *" $dep "* ]]; then
      pkgs+=("$dep")
      if [[ "$dep" == *:arm64 ]]; then todo+=("$dep"); fi
    fi
  done
done
(cd "$debs" && apt-get download -qq "${pkgs[@]}")
rm -rf "$dest"
mkdir -p "$dest/lib"
for deb in "$debs"/*.deb; do dpkg -x "$deb" "$dest"; done
ln -sf /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 "$dest/lib/ld-linux-aarch64.so.1"
echo "arm64 node unpacked in $dest"
