#!/usr/bin/env bash
# The test command: unit tests, Spark jobs on local[*], the multi-JVM standalone-cluster ITs, the quickstart.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B -ntp verify "$@"
