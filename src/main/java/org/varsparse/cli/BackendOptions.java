package org.varsparse.cli;

import org.varsparse.UserError;
import org.varsparse.backend.Backends;
import org.varsparse.tensor.TensorOps;
import picocli.CommandLine.Option;

/** {@code --backend auto|scalar|simd|tornado} and {@code --threads N}. */
final class BackendOptions {
    enum Name { auto, scalar, simd, tornado }

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "backend: auto (simd when the Vector API is usable, else scalar), scalar, simd, or tornado (GPU via TornadoVM; needs TORNADO_SDK and ./run.sh) (default: ${DEFAULT-VALUE})")
    Name backend = Name.auto;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads of the simd backend (default: all cores)")
    Integer threads;

    /** The backend; a forced one that is unavailable, or a bad thread count, is a user error. */
    TensorOps create() {
        if (threads != null && threads < 1) {
            throw UserError.of("--threads " + threads, "must be at least 1", "pass a positive thread count, or leave it out to use all cores");
        }
        synchronized (Backends.class) { // Backends reads the thread count from a system property
            String prev = System.getProperty(Backends.THREADS_PROPERTY);
            try {
                if (threads != null) {
                    System.setProperty(Backends.THREADS_PROPERTY, threads.toString());
                }
                return Backends.create(backend.name());
            } catch (Backends.SettingError e) {
                throw UserError.of("--backend " + backend, e.getMessage(),
                        "correct that -D setting (in VARSPARSE_JAVA_OPTS) or leave it out for the default", e);
            } catch (IllegalArgumentException e) {
                throw UserError.of("--backend " + backend, e.getMessage(), backend == Name.tornado
                        ? "set TORNADO_SDK to a TornadoVM SDK and run through ./run.sh, or use --backend auto"
                        : "use --backend auto (it falls back to scalar) or --backend scalar", e);
            } finally {
                if (prev == null) {
                    System.clearProperty(Backends.THREADS_PROPERTY);
                } else {
                    System.setProperty(Backends.THREADS_PROPERTY, prev);
                }
            }
        }
    }
}
