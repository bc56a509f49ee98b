package org.varsparse.tornado;

import java.nio.file.Path;
import org.varsparse.backend.Backends;

/** Shared by the tornado tests: the one TornadoOps (its GEMM plans compile once) and the golden fixtures. */
final class TornadoTestSupport {
    static final Path GOLDEN = Path.of(System.getProperty("varsparse.golden", "../src/test/resources/golden"));
    private static TornadoOps ops;

    private TornadoTestSupport() {
    }

    /** Through the same selection a user gets with -Dvarsparse.backend=tornado. */
    static synchronized TornadoOps ops() {
        if (ops == null) {
            ops = (TornadoOps) Backends.create("tornado");
        }
        return ops;
    }
}
