package org.varsparse.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * Fails when the build expected the simd backend (surefire sets varsparse.expectSimd=true) but automatic
 * selection fell back to scalar, e.g. because --add-modules jdk.incubator.vector went missing.
 */
class SimdGuardTest {
    @Test
    void expectedSimdIsSelected() {
        assumeTrue(Boolean.getBoolean("varsparse.expectSimd"), "varsparse.expectSimd is not set");
        assertEquals(null, Backends.simdUnavailableReason());
        assertEquals("simd", Backends.get().name(), "Backends.get() fell back: " + Backends.describe(Backends.get()));
    }
}
