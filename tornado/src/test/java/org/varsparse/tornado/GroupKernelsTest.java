package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.varsparse.tornado.KernelsTest.assertAll;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.Backends;
import org.varsparse.tornado.check.FistaChecks;
import org.varsparse.tornado.check.KernelChecks;

/**
 * The work-group step kernels ({@link StepVariant#GROUPS}, {@link GroupKernels}) on the device (PoCL here): the three
 * kernels against the scalar oracle with more rows, then more columns, than a work-group has lanes, and the whole
 * FISTA graph with them against CPU FISTA on the golden batches.
 */
class GroupKernelsTest {

    @Test
    void stepKernelsMatchTheScalarOracle() throws Exception {
        TornadoTestSupport.ops();
        assertAll(KernelChecks.fistaStep(StepVariant.GROUPS, 257, 9));
        assertAll(KernelChecks.fistaStep(StepVariant.GROUPS, 37, 300));
    }

    @Test
    void fistaGraphMatchesCpuFistaOnTheGoldenBatches() throws IOException {
        TornadoTestSupport.ops();
        for (FistaChecks.Case c : FistaChecks.cases(TornadoTestSupport.GOLDEN)) {
            assertAll(FistaChecks.check(c, KernelVariant.PLAIN, StepVariant.GROUPS));
        }
    }

    @Test
    void propertySelectsTheStepKernels() {
        String old = System.getProperty(StepVariant.PROPERTY);
        try {
            System.clearProperty(StepVariant.PROPERTY);
            assertEquals(StepVariant.LOOPS, StepVariant.fromProperty());
            System.setProperty(StepVariant.PROPERTY, " Groups ");
            assertEquals(StepVariant.GROUPS, StepVariant.fromProperty());
            System.setProperty(StepVariant.PROPERTY, "warps");
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    StepVariant::fromProperty);
            assertEquals("-Dvarsparse.tornado.step=warps: use loops or groups", ex.getMessage());
            // the backend reads it when created, and says which setting is wrong (not "TornadoVM failed to start")
            Backends.SettingError bad = assertThrows(Backends.SettingError.class, () -> Backends.create("tornado"));
            assertEquals("backend tornado: -Dvarsparse.tornado.step=warps: use loops or groups", bad.getMessage());
            // auto too: a typo is an error, not a silent fall back to the CPU (AutoBackendTest)
            Backends.SettingError auto = assertThrows(Backends.SettingError.class, () -> Backends.create("auto"));
            assertEquals(bad.getMessage(), auto.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(StepVariant.PROPERTY);
            } else {
                System.setProperty(StepVariant.PROPERTY, old);
            }
        }
    }
}
