#!/usr/bin/env bash
# Runs the health checker CPU benchmark (not part of the test suite): builds the module's test
# classes, then starts org.dicomlb.healthcheck.bench.CheckerCpuBenchmark with its arguments:
#   lb-healthcheck/run-benchmark.sh [endpoints=1000] [seconds=30] [interval-ms=1000] [warmup-seconds=5]
# All traffic stays on 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib/jdk.sh
source scripts/lib/jdk.sh
dicomlb_find_jdk
mvn -B -q -pl lb-healthcheck -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "lb-healthcheck/target/test-classes:lb-healthcheck/target/classes:$(cat lb-healthcheck/target/test-classpath.txt)" \
  org.dicomlb.healthcheck.bench.CheckerCpuBenchmark "$@"
