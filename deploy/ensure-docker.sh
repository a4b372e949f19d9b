#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, installing Debian's engine and
# docker-compose (v1) and starting dockerd when needed. Safe to run repeatedly: a machine that
# already has a working engine is left untouched. Needs root for the install/start steps.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

log() { echo "[ensure-docker] $*" >&2; }

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1; then
  log "installing docker.io, docker-compose and iptables from Debian"
  apt-get update -qq
  apt-get install -y -qq docker.io docker-compose iptables >/dev/null
fi

if docker info >/dev/null 2>&1; then
  log "docker engine already running"
  exit 0
fi

# setsid detaches dockerd from this script's session, so it outlives CI steps and Ctrl-C.
log "starting dockerd (log: /tmp/dockerd.log)"
setsid dockerd >/tmp/dockerd.log 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "docker engine ready"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; last lines of /tmp/dockerd.log:"
tail -n 30 /tmp/dockerd.log >&2 || true
exit 1
