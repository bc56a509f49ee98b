package org.varsparse.tornado;

import java.nio.file.Path;
import org.varsparse.backend.Backends;

/** Shared by the tornado tests: one TornadoOps per kernel variant (GEMM plans compile once), the golden fixtures. */
final class TornadoTestSupport {
    static final Path GOLDEN = Path.of(System.getProperty("varsparse.golden", "../src/test/resources/golden"));
    private static TornadoOps ops;
    private static TornadoOps tiledOps;
    private static TornadoOps localOps;

    private TornadoTestSupport() {
    }

    /** Through the same selection a user gets with -Dvarsparse.backend=tornado. */
    static synchronized TornadoOps ops() {
        if (ops == null) {
            ops = (TornadoOps) Backends.create("tornado");
        }
        return ops;
    }

    /** The backend with the register-tiled GEMM kernels. */
    static synchronized TornadoOps tiledOps() {
        if (tiledOps == null) {
            tiledOps = TornadoOps.create(KernelVariant.TILED);
        }
        return tiledOps;
    }

    /** The backend with the local-memory tiled GEMM kernels. */
    static synchronized TornadoOps localOps() {
        if (localOps == null) {
            localOps = TornadoOps.create(KernelVariant.LOCAL);
        }
        return localOps;
    }

    /** Whether the device is PoCL (CPU OpenCL), where the local and plain kernels must agree bit for bit. */
    static boolean onPocl() {
        return ops().deviceName().contains("Portable Computing Language");
    }
}
