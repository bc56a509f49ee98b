package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.varsparse.tornado.check.Check;
import org.varsparse.tornado.check.KernelChecks;

/**
 * Every kernel, plain and tiled, on the TornadoVM device (PoCL here) against the scalar oracle; see
 * {@link KernelChecks}.
 */
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
        assertAll(KernelChecks.decoderGradients(KernelVariant.PLAIN));
    }

    @Test
    void tiledGemmsMatchTheScalarOracle() {
        TornadoOps tiled = TornadoTestSupport.tiledOps();
        assertEquals(KernelVariant.TILED, tiled.kernels());
        assertAll(KernelChecks.gemms(tiled));
    }

    @Test
    void tiledDecoderGradientKernelsMatchTheScalarOracle() throws Exception {
        TornadoTestSupport.ops();
        assertAll(KernelChecks.decoderGradients(KernelVariant.TILED));
    }

    @Test
    void fistaStepKernelsMatchTheScalarOracle() throws Exception {
        TornadoTestSupport.ops();
        assertAll(KernelChecks.fistaStep(StepVariant.LOOPS, 257, 9));
        assertAll(KernelChecks.fistaStep(StepVariant.LOOPS, 37, 300));
    }
}
