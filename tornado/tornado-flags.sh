#!/usr/bin/env bash
# Prints, one per line, the JVM flags that run Java code on TornadoVM from the SDK at $TORNADO_SDK (what the SDK's
# `tornado --printJavaFlags` prints), with only the selected backends' driver jars on the module path:
# TORNADO_BACKENDS=opencl (default) | ptx | opencl,ptx. A PTX driver jar on a machine without libcuda.so.1 kills
# TornadoVM's start-up, hence the selection. Bailout to sequential Java is disabled: a kernel that fails to
# compile is an error, never a silent CPU run. TornadoVM's bytecode buffer (default 4096 bytes) is raised to 64 KiB:
# a step graph with several iterations per launch (-Dvarsparse.tornado.unroll) needs about 1.5 KiB per NL iteration.
set -euo pipefail
T="${TORNADO_SDK:?set TORNADO_SDK to a TornadoVM SDK (the directory with bin/ etc/ lib/ share/)}"
B="${TORNADO_BACKENDS:-opencl}"
J="$T/share/java/tornado"
[ -d "$J" ] || { echo "tornado-flags.sh: $J not found: TORNADO_SDK=$T is not a TornadoVM SDK" >&2; exit 2; }
MP=""
for jar in "$J"/*.jar; do
  case "$(basename "$jar")" in
    tornado-drivers-opencl-*|tornado-drivers-opencl-jni-*) case ",$B," in *,opencl,*) ;; *) continue ;; esac ;;
    tornado-drivers-ptx-*|tornado-drivers-ptx-jni-*) case ",$B," in *,ptx,*) ;; *) continue ;; esac ;;
    tornado-drivers-spirv-*|tornado-drivers-spirv-jni-*) case ",$B," in *,spirv,*) ;; *) continue ;; esac ;;
  esac
  MP="${MP:+$MP:}$jar"
done
MODS="ALL-SYSTEM,tornado.runtime,tornado.annotation,tornado.drivers.common"
NATIVE=""
EXPORTS=("@$T/etc/exportLists/common-exports")
for b in ${B//,/ }; do
  [ -f "$T/etc/exportLists/$b-exports" ] || { echo "tornado-flags.sh: backend '$b' is not in $T (etc/exportLists)" >&2; exit 2; }
  EXPORTS+=("@$T/etc/exportLists/$b-exports")
  MODS="$MODS,tornado.drivers.$b"
  NATIVE="${NATIVE:+$NATIVE,}tornado.drivers.$b"
done
printf '%s\n' -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --enable-preview \
  "-Djava.library.path=$T/lib" --module-path "$MP" --upgrade-module-path "$T/share/java/graalJars" \
  -Dtornado.load.api.implementation=uk.ac.manchester.tornado.runtime.tasks.TornadoTaskGraph \
  -Dtornado.load.runtime.implementation=uk.ac.manchester.tornado.runtime.TornadoCoreRuntime \
  -Dtornado.load.tornado.implementation=uk.ac.manchester.tornado.runtime.common.Tornado \
  -Dtornado.load.annotation.implementation=uk.ac.manchester.tornado.annotation.ASMClassVisitor \
  -Dtornado.load.annotation.parallel=uk.ac.manchester.tornado.api.annotations.Parallel \
  "${EXPORTS[@]}" "--enable-native-access=$NATIVE" --add-modules "$MODS" -Dtornado.recover.bailout=False \
  -Dtornado.tvm.maxbytecodesize=65536
