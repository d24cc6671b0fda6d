#!/usr/bin/env bash
# Starts a Spark standalone cluster on 127.0.0.1: one Master and N Workers, each its own JVM, from the
# project's own Maven-resolved Spark jars (no Spark download). Prints the master URL on stdout;
# everything else goes to stderr. PID files and logs live in the work dir; stop with stop-cluster.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORKERS=2
CORES=1
MEMORY=1g
MASTER_PORT=7077
WEBUI_PORT=8080
WORK_DIR="$HERE/work"
TIMEOUT_S=120

usage() {
  cat <<USAGE
usage: start-cluster.sh [--workers N] [--cores C] [--memory M] [--master-port P] [--webui-port P] [--work-dir DIR]

  --workers N       Worker JVMs to start (default $WORKERS)
  --cores C         cores each Worker offers (default $CORES)
  --memory M        memory each Worker offers, e.g. 512m, 2g (default $MEMORY)
  --master-port P   Master RPC port; the master URL is spark://127.0.0.1:P (default $MASTER_PORT)
  --webui-port P    Master web UI port (default $WEBUI_PORT)
  --work-dir DIR    SPARK_HOME (jars copied once, ~250 MB), logs/, pids/, worker dirs (default $WORK_DIR)
USAGE
}

die() { echo "start-cluster.sh: $*" >&2; exit 2; }
need_value() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --workers) need_value "$@"; WORKERS="$2"; shift 2 ;;
    --cores) need_value "$@"; CORES="$2"; shift 2 ;;
    --memory) need_value "$@"; MEMORY="$2"; shift 2 ;;
    --master-port) need_value "$@"; MASTER_PORT="$2"; shift 2 ;;
    --webui-port) need_value "$@"; WEBUI_PORT="$2"; shift 2 ;;
    --work-dir) need_value "$@"; WORK_DIR="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (allowed: --workers --cores --memory --master-port --webui-port --work-dir --help)" ;;
  esac
done

[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || die "--workers must be a positive integer, got '$WORKERS'"
[[ "$CORES" =~ ^[1-9][0-9]*$ ]] || die "--cores must be a positive integer, got '$CORES'"
[[ "$MEMORY" =~ ^[1-9][0-9]*[mMgGtT]$ ]] || die "--memory must be a size like 512m or 2g, got '$MEMORY'"
for port in "$MASTER_PORT" "$WEBUI_PORT"; do
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "ports must be 1..65535, got '$port'"
done

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v "$JAVA" >/dev/null || die "no java on PATH (or in JAVA_HOME); Java 17 is needed"
JAVA_MAJOR="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "${JAVA_MAJOR:-0}" -ge 17 ] 2>/dev/null || die "Java 17 or newer is needed, '$JAVA' is version '$JAVA_MAJOR'"

mkdir -p "$WORK_DIR"
WORK_DIR="$(cd "$WORK_DIR" && pwd)"
SPARK_HOME="$WORK_DIR/spark-home"
LOGS="$WORK_DIR/logs"
PIDS="$WORK_DIR/pids"
mkdir -p "$LOGS" "$PIDS"

# True if PID is a live Spark daemon (guards against stale PID files whose PID was reused).
is_spark_daemon() {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q 'org\.apache\.spark\.deploy\.'
}

if [ -f "$PIDS/master.pid" ] && is_spark_daemon "$(cat "$PIDS/master.pid")"; then
  die "a cluster from $WORK_DIR is already running (master pid $(cat "$PIDS/master.pid")); stop it with stop-cluster.sh"
fi
rm -f "$PIDS"/*.pid

# SPARK_HOME/jars: the Spark version and dependency versions of the project's pom, copied once.
if [ ! -f "$SPARK_HOME/jars/.complete" ]; then
  echo "Copying the project's Spark jars into $SPARK_HOME/jars (once; needs the Maven repository) ..." >&2
  command -v mvn >/dev/null || die "mvn is needed once to copy the Spark jars"
  rm -rf "$SPARK_HOME/jars"
  mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$SPARK_HOME/jars" >&2
  touch "$SPARK_HOME/jars/.complete"
fi
mkdir -p "$SPARK_HOME/conf"
if [ ! -f "$SPARK_HOME/conf/log4j2.properties" ]; then
  cat >"$SPARK_HOME/conf/log4j2.properties" <<'LOG4J'
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss.SSS} %p %c{1}: %m%n%ex
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
LOG4J
fi

export SPARK_HOME
export SPARK_CONF_DIR="$SPARK_HOME/conf"
export SPARK_SCALA_VERSION=2.12        # else every executor launch fails: "Cannot find any build directories"
export SPARK_LOCAL_IP=127.0.0.1        # else the web UIs bind 0.0.0.0
export SPARK_LOCAL_DIRS="$WORK_DIR/local"

# Spark's Java 17 module flags (org.apache.spark.launcher.JavaModuleOptions); port retries off so a
# taken port fails loudly instead of moving the master to another URL.
DAEMON_OPTS=(-Xmx512m -XX:+UseSerialGC -Dspark.port.maxRetries=0
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false)

STARTED=()
# If anything below fails, stop what this run started.
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ ${#STARTED[@]} -gt 0 ]; then
    echo "start-cluster.sh: start failed; stopping what was started" >&2
    "$HERE/stop-cluster.sh" --work-dir "$WORK_DIR" >&2 || true
  fi
}
trap on_exit EXIT

start_daemon() { # name main-class args...
  local name="$1" main="$2"; shift 2
  nohup "$JAVA" "${DAEMON_OPTS[@]}" -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" "$main" "$@" \
    >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
  STARTED+=("$name")
}

await_log() { # name pattern what
  local name="$1" pattern="$2" what="$3" pid waited=0
  pid="$(cat "$PIDS/$name.pid")"
  until grep -q "$pattern" "$LOGS/$name.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "start-cluster.sh: $name (pid $pid) exited before $what; last lines of $LOGS/$name.log:" >&2
      tail -n 40 "$LOGS/$name.log" >&2
      exit 1
    fi
    if [ $waited -ge $((TIMEOUT_S * 5)) ]; then
      echo "start-cluster.sh: timed out after ${TIMEOUT_S}s waiting for $what; last lines of $LOGS/$name.log:" >&2
      tail -n 40 "$LOGS/$name.log" >&2
      exit 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

MASTER_URL="spark://127.0.0.1:$MASTER_PORT"
start_daemon master org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$WEBUI_PORT"
await_log master "New state: ALIVE" "the master to become ALIVE"
echo "master  pid $(cat "$PIDS/master.pid")  $MASTER_URL  web UI http://127.0.0.1:$WEBUI_PORT" >&2

for i in $(seq 1 "$WORKERS"); do
  start_daemon "worker-$i" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port 0 --webui-port 0 --cores "$CORES" --memory "$MEMORY" \
    --work-dir "$WORK_DIR/worker-$i" "$MASTER_URL"
done
for i in $(seq 1 "$WORKERS"); do
  await_log "worker-$i" "Successfully registered with master" "worker-$i to register with the master"
  echo "worker-$i pid $(cat "$PIDS/worker-$i.pid")  $CORES core(s), $MEMORY" >&2
done

echo "$MASTER_URL" >"$WORK_DIR/master-url"
echo "logs: $LOGS   stop: $HERE/stop-cluster.sh --work-dir $WORK_DIR" >&2
echo "$MASTER_URL"
