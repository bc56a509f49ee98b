#!/usr/bin/env bash
# Builds varsparse + the TornadoVM backend here (a machine with Maven and a JDK) and assembles local/gpu/: what a
# GPU machine with NO Java and NO Maven needs to run the GPU check, next to local/gpu-runtime.tar.xz (a jlinked
# JDK 25 + TornadoVM runtime subset, made outside this repo; see tornado/README.md).
#
#   TORNADO_SDK=/path/to/tornado-sdk tornado/gpu/prepare-bundle.sh [path/to/gpu-runtime.tar.xz]
#
# The SDK is only needed to compile tornado/ (its tornado-api jar); the runtime comes from the tarball.
# local/ is git-ignored. Then, on the GPU machine, from the repository root:  bash local/gpu/run-gpu-check.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
: "${TORNADO_SDK:?set TORNADO_SDK to a TornadoVM SDK (to compile tornado/ against its tornado-api jar)}"
RUNTIME_TAR="${1:-${GPU_RUNTIME_TAR:-$ROOT/local/gpu-runtime.tar.xz}}"
if [ ! -f "$ROOT/local/gpu-runtime.tar.xz" ]; then
  [ -f "$RUNTIME_TAR" ] || { echo "prepare-bundle.sh: no gpu-runtime.tar.xz at $RUNTIME_TAR (pass its path)" >&2; exit 2; }
  mkdir -p local && cp "$RUNTIME_TAR" local/gpu-runtime.tar.xz
fi

./run.sh build          # with TORNADO_SDK set: the core jar (installed) and the tornado jar

B="$ROOT/local/gpu"
rm -rf "$B"
mkdir -p "$B/lib" "$B/golden"
cp "$(ls target/varsparse-*.jar | grep -v -- '-sources\|-javadoc' | head -n 1)" "$B/lib/varsparse-core.jar"
cp tornado/target/varsparse-tornado-0.1.0-SNAPSHOT.jar "$B/lib/varsparse-tornado.jar"
cp target/lib/*.jar "$B/lib/"   # the core's runtime dependencies (Maven copies them at package)
# the golden fixtures of FISTA cases 1, 2, 3 (src/test/resources/golden/README.md)
for f in mnist250_Y fista_linear_vdl_W fista_linear_vdl_E fista_linear_vdl_f32_Z fista_linear_vdl_f32_n_iters \
         fista_linear_sdl_W fista_linear_sdl_f32_Z fista_linear_sdl_f32_n_iters small_dec_nl_W1 small_dec_nl_b1 \
         small_dec_nl_W2 fista_nl_vdlnl_E fista_nl_vdlnl_f32_Z fista_nl_vdlnl_f32_n_iters; do
  cp "src/test/resources/golden/$f.npy" "$B/golden/"
done
cp tornado/bench/fista_torch_cuda.py tornado/gpu/run-gpu-check.sh "$B/"
chmod +x "$B/run-gpu-check.sh"
git rev-parse HEAD > "$B/COMMIT" 2>/dev/null || true
echo "prepare-bundle.sh: local/gpu ready ($(du -sh "$B" | cut -f1)); with the runtime: $(du -shc local/gpu local/gpu-runtime.tar.xz | tail -n 1 | cut -f1)"
echo "  on the GPU machine (repository root):  bash local/gpu/run-gpu-check.sh"
