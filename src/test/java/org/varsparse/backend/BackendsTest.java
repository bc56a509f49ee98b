package org.varsparse.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.varsparse.tensor.TensorOps;

class BackendsTest {
    @Test
    void unknownNameIsAnErrorNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("cuda9"));
        assertTrue(e.getMessage().contains("cuda9"), e.getMessage());
    }

    @Test
    void forcedScalarIsScalar() {
        TensorOps ops = Backends.create(" Scalar ");
        assertEquals("scalar", ops.name());
        assertEquals(1, ops.threads());
    }

    @Test
    void forcedSimdIsSimdWithTheConfiguredThreads() {
        TensorOps ops = Backends.create("simd");
        assertEquals("simd", ops.name());
        assertEquals(Backends.threads(), ops.threads());
        assertTrue(Backends.simdVectorBits() >= 128, "vector bits " + Backends.simdVectorBits());
        assertTrue(Backends.describe(ops).contains(Backends.simdVectorBits() + "-bit"), Backends.describe(ops));
    }

    /** Without the tornado/ jar and TornadoVM's flags (as in the core's own test run), forcing it is an error naming the fix. */
    @Test
    void forcedTornadoWithoutTornadoVmIsAnErrorNamingTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("tornado"));
        assertTrue(e.getMessage().contains("TORNADO_SDK") && e.getMessage().contains("./run.sh"), e.getMessage());
    }
}
