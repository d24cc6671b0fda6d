#!/usr/bin/env bash
# Stops the cluster that start-cluster.sh started from the same work dir, by its PID files: the Master,
# then the Workers and the executor JVMs they launched. SIGTERM, then SIGKILL after a grace period.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK_DIR="$HERE/work"
GRACE_S=15

die() { echo "stop-cluster.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --work-dir) [ $# -ge 2 ] || die "--work-dir needs a value"; WORK_DIR="$2"; shift 2 ;;
    -h|--help) echo "usage: stop-cluster.sh [--work-dir DIR]   (default $WORK_DIR)"; exit 0 ;;
    *) die "unknown option '$1' (allowed: --work-dir --help)" ;;
  esac
done
PIDS="$WORK_DIR/pids"
[ -d "$PIDS" ] || { echo "no cluster state in $WORK_DIR (no pids/ dir); nothing to stop" >&2; exit 0; }

cmdline() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline"; }
# Only ever signal a PID that still is what we started: a Spark daemon or executor.
is_ours() { cmdline "$1" 2>/dev/null | grep -q "$2"; }

stop_pids() { # pattern pid...
  local pattern="$1" pid waited=0; shift
  local live=()
  for pid in "$@"; do
    if is_ours "$pid" "$pattern"; then kill -TERM "$pid" 2>/dev/null && live+=("$pid"); fi
  done
  while [ ${#live[@]} -gt 0 ] && [ $waited -lt $((GRACE_S * 5)) ]; do
    local still=()
    for pid in "${live[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
    live=("${still[@]+"${still[@]}"}")
    [ ${#live[@]} -gt 0 ] && sleep 0.2
    waited=$((waited + 1))
  done
  for pid in "${live[@]+"${live[@]}"}"; do
    echo "pid $pid still alive after ${GRACE_S}s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# The Master first, so that no Worker is told to launch a replacement executor while stopping.
if [ -f "$PIDS/master.pid" ]; then
  pid="$(cat "$PIDS/master.pid")"
  if is_ours "$pid" 'org\.apache\.spark\.deploy\.master\.Master'; then
    echo "stopping master (pid $pid)" >&2
    stop_pids 'org\.apache\.spark\.deploy\.master\.Master' "$pid"
  else
    echo "master: pid $pid is not running (stale pid file)" >&2
  fi
fi

worker_pids=()
executor_pids=()
for f in "$PIDS"/worker-*.pid; do
  [ -e "$f" ] || continue
  pid="$(cat "$f")"
  if is_ours "$pid" 'org\.apache\.spark\.deploy\.worker\.Worker'; then
    worker_pids+=("$pid")
    # Executors are the Worker's children; note them before the Worker goes.
    for child in $(pgrep -P "$pid" || true); do executor_pids+=("$child"); done
    echo "stopping $(basename "$f" .pid) (pid $pid)" >&2
  else
    echo "$(basename "$f" .pid): pid $pid is not running (stale pid file)" >&2
  fi
done
stop_pids 'org\.apache\.spark\.deploy\.worker\.Worker' "${worker_pids[@]+"${worker_pids[@]}"}"
# A Worker normally takes its executors with it; any that remain are stopped here.
stop_pids 'org\.apache\.spark\.executor\.' "${executor_pids[@]+"${executor_pids[@]}"}"

# Last, any executor still running from this SPARK_HOME (e.g. one launched while its Worker stopped).
strays=()
for proc in /proc/[0-9]*; do
  pid="${proc#/proc/}"
  line="$(cmdline "$pid" 2>/dev/null || true)"
  case "$line" in
    *"$WORK_DIR/spark-home/"*org.apache.spark.executor.*) strays+=("$pid") ;;
  esac
done
if [ ${#strays[@]} -gt 0 ]; then
  echo "stopping executors left from this cluster: ${strays[*]}" >&2
  stop_pids 'org\.apache\.spark\.executor\.' "${strays[@]}"
fi
rm -f "$PIDS"/*.pid "$WORK_DIR/master-url"
echo "stopped" >&2
