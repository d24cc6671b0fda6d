#!/usr/bin/env bash
# Runs one benchmark main: bench/run.sh PrepBench ../shared/data   (prints JSON lines)
# BENCH_JAVA_OPTS adds JVM flags (after the defaults, so e.g. -Xmx12g or --add-modules jdk.incubator.vector win),
# e.g. BENCH_JAVA_OPTS="-Dprepbench.scales=1,4 -Dprepbench.jobs=true".
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests -Dassembly.skip=true -pl bench -am package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >&2
OPENS="-XX:+IgnoreUnrecognizedVMOptions"
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  OPENS="$OPENS --add-opens=java.base/$p=ALL-UNNAMED"
done
main="$1"; shift
cd bench
exec java $OPENS -Djdk.reflect.useDirectMethodHandle=false -Dai.djl.offline=true -Xmx8g \
  -Dlog4j2.configurationFile=../conf/log4j2.properties ${BENCH_JAVA_OPTS:-} \
  -cp "target/classes:$(cat target/bench.classpath)" "org.loradist.bench.$main" "$@"
