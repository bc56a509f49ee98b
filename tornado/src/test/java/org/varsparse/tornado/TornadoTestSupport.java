package org.varsparse.tornado;

import java.nio.file.Path;
import org.varsparse.backend.Backends;

/** Shared by the tornado tests: one TornadoOps per kernel variant (GEMM plans compile once), the golden fixtures. */
final class TornadoTestSupport {
    static final Path GOLDEN = Path.of(System.getProperty("varsparse.golden", "../src/test/resources/golden"));
    private static TornadoOps ops;
    private static TornadoOps tiledOps;

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
}
