package org.varsparse.cli;

import java.util.Arrays;
import java.util.Locale;
import org.varsparse.UserError;
import org.varsparse.backend.Backends;
import org.varsparse.tensor.TensorOps;
import picocli.CommandLine.Option;

/**
 * {@code --backend auto|scalar|simd|tornado} and {@code --threads N}. Without {@code --backend} the backend is the
 * one {@code -Dvarsparse.backend} names (the library's setting, e.g. in VARSPARSE_JAVA_OPTS), else auto.
 */
final class BackendOptions {
    enum Name { auto, scalar, simd, tornado }

    @Option(names = "--backend", paramLabel = "NAME",
            description = "backend: auto (tornado when TornadoVM is set up with a GPU, else simd when the Vector API is usable, else scalar), scalar, simd, or tornado (GPU via TornadoVM; needs TORNADO_SDK and ./run.sh) (default: -Dvarsparse.backend, else auto)")
    Name backend;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads of the simd backend, 1 to 4 per core (at least 16 allowed) (default: all cores)")
    Integer threads;

    /** The backend's name: --backend, else the property, else auto (a bad property value is a user error). */
    String name() {
        if (backend != null) {
            return backend.name();
        }
        String p = System.getProperty(Backends.PROPERTY);
        if (p == null || p.isBlank()) {
            return Name.auto.name();
        }
        String n = p.trim().toLowerCase(Locale.ROOT);
        if (Arrays.stream(Name.values()).noneMatch(v -> v.name().equals(n))) {
            throw UserError.of(source(), "is not a backend", "use auto, scalar, simd or tornado, or leave it out");
        }
        return n;
    }

    /** Where the backend's name came from, as the user wrote it: "--backend simd" or "-Dvarsparse.backend=simd". */
    String source() {
        if (backend != null) {
            return "--backend " + backend;
        }
        String p = System.getProperty(Backends.PROPERTY);
        return p == null || p.isBlank() ? "--backend auto" : "-D" + Backends.PROPERTY + "=" + p;
    }

    /** The backend; a forced one that is unavailable, or a bad thread count, is a user error. */
    TensorOps create() {
        if (threads != null && (threads < 1 || threads > Backends.maxThreads())) {
            throw UserError.of("--threads " + threads, threads < 1 ? "must be at least 1"
                    : "is more than " + Backends.maxThreads() + " (4 per core, at least 16)",
                    "pass a thread count from 1 to " + Backends.maxThreads() + ", or leave it out to use all cores");
        }
        String name = name();
        synchronized (Backends.class) { // Backends reads the thread count from a system property
            String prev = System.getProperty(Backends.THREADS_PROPERTY);
            try {
                if (threads != null) {
                    System.setProperty(Backends.THREADS_PROPERTY, threads.toString());
                }
                return Backends.create(name);
            } catch (Backends.SettingError e) {
                throw UserError.of(source(), e.getMessage(),
                        "correct that -D setting (in VARSPARSE_JAVA_OPTS) or leave it out for the default", e);
            } catch (Backends.Unavailable e) {
                throw UserError.of(source(), e.problem(), e.fix(), e);
            } catch (IllegalArgumentException e) { // e.g. -Dvarsparse.threads=abc
                throw UserError.of(source(), e.getMessage(), "correct that setting or leave it out for the default", e);
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
