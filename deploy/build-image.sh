#!/usr/bin/env bash
# Builds the Paddock server image as paddock:latest (or $PADDOCK_IMAGE) from this checkout.
#
# The bundles are made on the host (deploy/bundle.mjs, from the installed node_modules) and passed
# in with PADDOCK_PREBUILT=1, so the build itself downloads nothing. The base is $BASE_IMAGE if
# set, else node:20-bookworm-slim when present or pullable, else a local base image assembled
# from this machine's own node binary (for machines that cannot reach any registry).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
image="${PADDOCK_IMAGE:-paddock:latest}"
upstream_base="node:20-bookworm-slim"
local_base="paddock-base:node$(node -p 'process.versions.node')-local"

log() { echo "[build-image] $*" >&2; }

make_local_base() {
  if docker image inspect "$local_base" >/dev/null 2>&1; then return; fi
  log "making $local_base from $(command -v node) (no registry reachable)"
  if [ ! -x /bin/busybox ] || ! /bin/busybox --list >/dev/null 2>&1; then
    apt-get install -y -qq busybox-static >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq busybox-static >/dev/null; }
  fi
  local rootfs
  rootfs="$(mktemp -d)"
  trap 'rm -rf "$rootfs"' RETURN
  mkdir -p "$rootfs"/{bin,etc,tmp,usr/bin}
  chmod 1777 "$rootfs/tmp"
  cp "$(readlink -f "$(command -v node)")" "$rootfs/usr/bin/node"
  # The dynamic loader and every library node links against, at the same paths.
  for lib in $(ldd "$rootfs/usr/bin/node" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  # busybox gives the shell, nc and coreutils that Dockerfile RUN lines and health checks use.
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  ln -s /bin/busybox "$rootfs/usr/bin/env"
  echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/usr/bin:/bin' - "$local_base" >/dev/null
}

if [ -z "${BASE_IMAGE:-}" ]; then
  if docker image inspect "$upstream_base" >/dev/null 2>&1; then
    BASE_IMAGE="$upstream_base"
  elif docker image inspect "$local_base" >/dev/null 2>&1; then
    # Made on an earlier run because the registry was unreachable; not worth waiting on a pull
    # again each time the tests rebuild the image.
    BASE_IMAGE="$local_base"
  elif timeout 60 docker pull -q "$upstream_base" >/dev/null 2>&1; then
    BASE_IMAGE="$upstream_base"
  else
    make_local_base
    BASE_IMAGE="$local_base"
  fi
fi

cd "$root"
# The bundler runs from the checkout's dev dependencies (a fresh CI machine has none yet).
[ -d node_modules/esbuild ] || npm install --no-audit --no-fund
node deploy/bundle.mjs dist/docker
log "building $image on $BASE_IMAGE"
docker build -q --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg PADDOCK_PREBUILT=1 \
  -t "$image" -f deploy/Dockerfile . >/dev/null
# Each rebuild leaves the previous build stage and the replaced image untagged; only ours go.
docker image prune -f --filter label=org.paddock.stage >/dev/null
log "$image: $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1/1e6}')"
