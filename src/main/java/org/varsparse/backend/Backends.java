package org.varsparse.backend;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.TensorOps;

/**
 * Chooses the tensor backend, once per JVM.
 *
 * <p>{@code -Dvarsparse.backend=auto|scalar|simd|tornado} (default auto). A forced backend that cannot be had is an
 * error naming the fix, never a silent downgrade. {@code -Dvarsparse.threads=N} sets the simd worker count (default:
 * all cores).
 *
 * <p>Auto: {@code tornado} (GPU through TornadoVM) when TornadoVM's runtime is present (the tornado/ jar on the class
 * path and TornadoVM's JVM flags, which {@code ./run.sh} adds when {@code TORNADO_SDK} is set) and its default device
 * is not a CPU; otherwise the CPU backend ({@link #createCpu}): simd when the {@code jdk.incubator.vector} module is
 * readable and its preferred float vectors are at least 128 bits, else scalar with one warning naming the fix. When
 * TornadoVM is present but fails to start, or its default device is a CPU (CPU OpenCL such as PoCL: slower than
 * simd), auto falls back to the CPU backend with one warning; a bad {@code -Dvarsparse.tornado.*} setting stays an
 * error. Without TornadoVM's runtime, auto says nothing about it (the common case). The tornado backend's class lives
 * in the separate {@code tornado/} project and is loaded by name, so the core never imports TornadoVM.
 */
public final class Backends {
    public static final String PROPERTY = "varsparse.backend";
    public static final String THREADS_PROPERTY = "varsparse.threads";
    private static final String SIMD_CLASS = "org.varsparse.backend.simd.SimdOps";
    private static final String TORNADO_CLASS = "org.varsparse.tornado.TornadoOps";
    /** How to make the tornado backend available (what its errors and {@code varsparse info} say). */
    public static final String TORNADO_FIX = "set TORNADO_SDK to a TornadoVM SDK and run through ./run.sh, which builds"
            + " the tornado/ backend and adds TornadoVM's JVM flags";
    private static final System.Logger LOG = System.getLogger("varsparse");

    private static volatile TensorOps selected;

    private Backends() {
    }

    /** The backend named by {@value #PROPERTY} (chosen and logged on first use). */
    public static TensorOps get() {
        TensorOps ops = selected;
        if (ops == null) {
            synchronized (Backends.class) {
                ops = selected;
                if (ops == null) {
                    ops = create(System.getProperty(PROPERTY, "auto"));
                    LOG.log(Level.INFO, "varsparse backend: " + describe(ops));
                    selected = ops;
                }
            }
        }
        return ops;
    }

    /**
     * A new backend by name: "auto", "scalar", "simd" or "tornado".
     *
     * @throws IllegalArgumentException for an unknown name, or a forced backend that is unavailable here
     *                                  ({@link Unavailable}: the reason and the fix apart)
     */
    public static TensorOps create(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "scalar":
                return new ScalarOps();
            case "simd": {
                String why = simdUnavailableReason();
                if (why != null) {
                    throw new Unavailable("backend simd was requested but " + why,
                            "use --backend auto (it falls back to scalar) or --backend scalar");
                }
                return newSimd();
            }
            case "tornado":
                return newTornado();
            case "auto": {
                TensorOps gpu = autoTornado();
                return gpu != null ? gpu : createCpu();
            }
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "': use auto, scalar, simd or tornado");
        }
    }

    /** The CPU backend auto falls back to: simd, else scalar with one warning naming the fix. */
    public static TensorOps createCpu() {
        String why = simdUnavailableReason();
        if (why != null) {
            LOG.log(Level.WARNING, "varsparse: using the slow scalar backend because " + why);
            return new ScalarOps();
        }
        return newSimd();
    }

    /**
     * Auto's GPU choice: the tornado backend when TornadoVM's runtime is present and its default device is not a
     * CPU, else null (with one warning when TornadoVM is present but not used).
     *
     * @throws SettingError for a bad {@code -Dvarsparse.tornado.*} setting: a typo is an error, not a fallback
     */
    private static TensorOps autoTornado() {
        if (tornadoUnavailableReason() != null) {
            return null;
        }
        try {
            TensorOps ops = (TensorOps) Class.forName(TORNADO_CLASS).getMethod("createUnlessCpu").invoke(null);
            if (ops == null) {
                LOG.log(Level.WARNING, "varsparse: TornadoVM's default device is a CPU (CPU OpenCL such as PoCL), slower"
                        + " than the simd backend, so auto uses the CPU backend; --backend tornado uses the device anyway");
            }
            return ops;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw new SettingError("backend tornado: " + bad.getMessage(), bad);
            }
            return failedToStart(e);
        } catch (ReflectiveOperationException | LinkageError e) {
            return failedToStart(e);
        }
    }

    /** Auto's one warning when TornadoVM is set up but does not start; null: auto goes on with the CPU backend. */
    private static TensorOps failedToStart(Throwable e) {
        LOG.log(Level.WARNING, "varsparse: TornadoVM is set up but failed to start (" + rootCause(e)
                + "), so auto uses the CPU backend; ./run.sh info lists its devices");
        return null;
    }

    /** Null when the simd backend can run here, else the reason and the fix, in one sentence. */
    public static String simdUnavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the module jdk.incubator.vector is not readable (fix: run java with --add-modules jdk.incubator.vector, as ./run.sh does)";
        }
        int bits = simdVectorBits();
        if (bits < 128) {
            return "this CPU's preferred float vectors are " + bits + " bits, below the 128 the simd kernels need";
        }
        return null;
    }

    /** Bit size of the preferred float vector (0 if the incubator module is not readable). */
    public static int simdVectorBits() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return 0;
        }
        try {
            return (int) Class.forName(SIMD_CLASS).getMethod("vectorBits").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return 0;
        }
    }

    /** Worker count for multithreaded backends: {@value #THREADS_PROPERTY}, else the available processors. */
    public static int threads() {
        String t = System.getProperty(THREADS_PROPERTY);
        if (t == null || t.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(t.trim());
            if (n >= 1 && n <= maxThreads()) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(THREADS_PROPERTY + "=" + t + " is not an integer from 1 to " + maxThreads());
    }

    /**
     * The most worker threads a backend takes: 4 per core, at least 16. More only adds scheduling and per-thread GEMM
     * scratch (tens of MB each), and thousands fail to start at all.
     */
    public static int maxThreads() {
        return Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    }

    public static String describe(TensorOps ops) {
        return switch (ops.name()) {
            case "simd" -> "simd (" + simdVectorBits() + "-bit float vectors, " + ops.threads() + " threads)";
            default -> ops.name() + " (" + ops.threads() + " thread" + (ops.threads() == 1 ? "" : "s") + ")";
        };
    }

    /**
     * Null when the TornadoVM backend can be loaded here (its jar and TornadoVM's runtime flags are present;
     * whether a device exists is only known once it starts), else the reason ({@link #TORNADO_FIX} says the fix).
     */
    public static String tornadoUnavailableReason() {
        try {
            Class.forName(TORNADO_CLASS, false, Backends.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "the TornadoVM backend (" + TORNADO_CLASS + ") is not on the class path";
        }
        if (System.getProperty("tornado.load.runtime.implementation") == null) {
            return "TornadoVM's JVM flags are missing";
        }
        return null;
    }

    /** The TornadoVM backend's device description, or null when the backend is not loadable here. */
    public static String tornadoDevices() {
        if (tornadoUnavailableReason() != null) {
            return null;
        }
        try {
            return (String) Class.forName(TORNADO_CLASS).getMethod("devices").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return "TornadoVM failed to start: " + rootCause(e);
        }
    }

    private static TensorOps newTornado() {
        String why = tornadoUnavailableReason();
        if (why != null) {
            throw new Unavailable("backend tornado was requested but " + why, TORNADO_FIX);
        }
        try {
            return (TensorOps) Class.forName(TORNADO_CLASS).getMethod("create").invoke(null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) { // a setting of the backend, e.g. its kernels
                throw new SettingError("backend tornado: " + bad.getMessage(), bad);
            }
            throw new Unavailable("backend tornado was requested but TornadoVM failed to start: " + rootCause(e),
                    TORNADO_FIX, e);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new Unavailable("backend tornado was requested but TornadoVM failed to start: " + rootCause(e),
                    TORNADO_FIX, e);
        }
    }

    /** A forced backend that cannot run here: {@link #problem} and {@link #fix} apart; the message holds both. */
    public static final class Unavailable extends IllegalArgumentException {
        private final String problem;
        private final String fix;

        Unavailable(String problem, String fix) {
            this(problem, fix, null);
        }

        Unavailable(String problem, String fix, Throwable cause) {
            super(problem + " (fix: " + fix + ")", cause);
            this.problem = problem;
            this.fix = fix;
        }

        public String problem() {
            return problem;
        }

        public String fix() {
            return fix;
        }
    }

    /** A backend that is there but refuses one of its -D settings (e.g. a misspelt kernel variant). */
    public static final class SettingError extends IllegalArgumentException {
        SettingError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.toString();
    }

    private static TensorOps newSimd() {
        try {
            return (TensorOps) Class.forName(SIMD_CLASS).getConstructor(int.class).newInstance(threads());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the simd backend failed to load: " + e, e);
        }
    }
}
