package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.varsparse.tornado.check.Check;
import org.varsparse.tornado.check.KernelChecks;

/** Every kernel on the TornadoVM device (PoCL here) against the scalar oracle; see {@link KernelChecks}. */
class KernelsTest {

    static void assertAll(List<Check> checks) {
        assertFalse(checks.isEmpty());
        checks.forEach(System.out::println);
        for (Check c : checks) {
            assertTrue(c.passed(), c.toString());
        }
    }

    @Test
    void bailoutIsDisabled() {
        // A kernel that fails to compile must fail the test, not run as sequential Java.
        assertEquals("false", System.getProperty("tornado.recover.bailout", "true").toLowerCase());
    }

    @Test
    void gemmsMatchTheScalarOracle() {
        assertAll(KernelChecks.gemms(TornadoTestSupport.ops()));
    }

    @Test
    void decoderGradientKernelsMatchTheScalarOracle() throws Exception {
        TornadoTestSupport.ops();
        assertAll(KernelChecks.decoderGradients());
    }

    @Test
    void fistaStepKernelsMatchTheScalarOracle() throws Exception {
        TornadoTestSupport.ops();
        assertAll(KernelChecks.fistaStep());
    }
}
