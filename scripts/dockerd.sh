#!/usr/bin/env bash
# Starts or stops a Docker daemon for `npm run test:image` on a machine where none runs (CI).
#
#   scripts/dockerd.sh start   # as root: installs Debian's docker.io if missing, starts dockerd
#                              # (overlay2, else vfs where overlay2 cannot mount); a daemon that
#                              # already answers is used as it is and left alone
#   scripts/dockerd.sh stop    # stops only a daemon that `start` started (its pid file)
set -euo pipefail

PIDFILE=/run/greenlight-dockerd.pid
LOG=${GREENLIGHT_DOCKERD_LOG:-/tmp/greenlight-dockerd.log}

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

wait_until_answers() {
  local pid=$1
  for _ in $(seq 1 120); do
    if answers; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.5
  done
  return 1
}

stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
}

start() {
  if command -v docker >/dev/null && answers; then
    echo "dockerd: a Docker daemon already answers; using it"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "dockerd: no Docker daemon answers, and starting one needs root: run 'sudo $0 start', or start Docker your usual way" >&2
    return 1
  fi
  if ! command -v dockerd >/dev/null; then
    echo "dockerd: installing Debian's docker.io (apt-get install docker.io)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
  fi
  local driver
  for driver in overlay2 vfs; do
    dockerd --storage-driver="$driver" >"$LOG" 2>&1 &
    local pid=$!
    if wait_until_answers "$pid"; then
      echo "$pid" >"$PIDFILE"
      echo "dockerd: started (pid $pid, storage driver $driver, log $LOG)"
      return 0
    fi
    echo "dockerd: the daemon did not come up with the $driver storage driver; its log ends with:" >&2
    tail -n 5 "$LOG" >&2 || true
    stop_pid "$pid"
  done
  echo "dockerd: Docker cannot run on this machine (see $LOG); npm run test:image needs it" >&2
  return 1
}

stop() {
  [ -f "$PIDFILE" ] || return 0
  local pid
  pid=$(cat "$PIDFILE")
  stop_pid "$pid"
  rm -f "$PIDFILE"
  echo "dockerd: stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
