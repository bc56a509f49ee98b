package org.varsparse.tornado;

import java.io.IOException;
import java.nio.file.Path;
import org.varsparse.backend.Backends;
import org.varsparse.inference.FistaResult;
import org.varsparse.tornado.check.FistaChecks;

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

    /** Golden FISTA case {@code index} (0-based: case 1 linear VDL B250, case 2 NL VDL-NL B64, case 3 linear SDL). */
    static FistaChecks.Case golden(int index) throws IOException {
        ops();
        return FistaChecks.cases(GOLDEN).get(index);
    }

    /** max_i |want_i − got_i| over the two solves' codes. */
    static double maxCodeDiff(FistaResult want, FistaResult got) {
        double d = 0;
        for (int i = 0; i < want.codes().data.length; i++) {
            d = Math.max(d, Math.abs(want.codes().data[i] - got.codes().data[i]));
        }
        return d;
    }
}
