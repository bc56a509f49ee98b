package org.varsparse.backend;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.TensorOps;

/**
 * Chooses the CPU tensor backend, once per JVM.
 *
 * <p>{@code -Dvarsparse.backend=auto|scalar|simd|tornado} (default auto). Auto takes simd when the
 * {@code jdk.incubator.vector} module is readable and its preferred float vectors are at least 128 bits,
 * else scalar with one warning naming the fix. A forced backend that cannot be had is an error, never a
 * silent downgrade. {@code -Dvarsparse.threads=N} sets the simd worker count (default: all cores).
 *
 * <p>{@code tornado} (GPU through TornadoVM) is only ever used when asked for: auto never picks it. Its class
 * lives in the separate {@code tornado/} project and is loaded by name, so the core never imports TornadoVM;
 * it needs that jar on the class path and TornadoVM's JVM flags, which {@code ./run.sh} adds when
 * {@code TORNADO_SDK} is set.
 */
public final class Backends {
    public static final String PROPERTY = "varsparse.backend";
    public static final String THREADS_PROPERTY = "varsparse.threads";
    private static final String SIMD_CLASS = "org.varsparse.backend.simd.SimdOps";
    private static final String TORNADO_CLASS = "org.varsparse.tornado.TornadoOps";
    private static final String TORNADO_FIX = "set TORNADO_SDK to a TornadoVM SDK and run through ./run.sh, which builds"
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
     * A new backend by name: "scalar", "simd" or "auto".
     *
     * @throws IllegalArgumentException for an unknown name, or a forced backend that is unavailable here
     */
    public static TensorOps create(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "scalar":
                return new ScalarOps();
            case "simd": {
                String why = simdUnavailableReason();
                if (why != null) {
                    throw new IllegalArgumentException("backend simd was requested but " + why);
                }
                return newSimd();
            }
            case "tornado":
                return newTornado();
            case "auto": {
                String why = simdUnavailableReason();
                if (why != null) {
                    LOG.log(Level.WARNING, "varsparse: using the slow scalar backend because " + why);
                    return new ScalarOps();
                }
                return newSimd();
            }
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "': use auto, scalar, simd or tornado");
        }
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
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(THREADS_PROPERTY + "=" + t + " is not a positive integer");
    }

    public static String describe(TensorOps ops) {
        return switch (ops.name()) {
            case "simd" -> "simd (" + simdVectorBits() + "-bit float vectors, " + ops.threads() + " threads)";
            default -> ops.name() + " (" + ops.threads() + " thread" + (ops.threads() == 1 ? "" : "s") + ")";
        };
    }

    /**
     * Null when the TornadoVM backend can be loaded here (its jar and TornadoVM's runtime flags are present;
     * whether a device exists is only known once it starts), else the reason and the fix.
     */
    public static String tornadoUnavailableReason() {
        try {
            Class.forName(TORNADO_CLASS, false, Backends.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "the TornadoVM backend (" + TORNADO_CLASS + ") is not on the class path (fix: " + TORNADO_FIX + ")";
        }
        if (System.getProperty("tornado.load.runtime.implementation") == null) {
            return "TornadoVM's JVM flags are missing (fix: " + TORNADO_FIX + ")";
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
            throw new IllegalArgumentException("backend tornado was requested but " + why);
        }
        try {
            return (TensorOps) Class.forName(TORNADO_CLASS).getMethod("create").invoke(null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) { // a setting of the backend, e.g. its kernels
                throw new SettingError("backend tornado: " + bad.getMessage(), bad);
            }
            throw new IllegalArgumentException("backend tornado was requested but TornadoVM failed to start: "
                    + rootCause(e) + " (fix: " + TORNADO_FIX + ")", e);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("backend tornado was requested but TornadoVM failed to start: "
                    + rootCause(e) + " (fix: " + TORNADO_FIX + ")", e);
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
