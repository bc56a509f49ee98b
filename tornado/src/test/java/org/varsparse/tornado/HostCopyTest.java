package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** The bulk host copies against element-by-element ones, bit for bit, on awkward sizes. */
class HostCopyTest {

    @Test
    void bulkCopiesEqualElementCopies() {
        assertTrue(HostCopy.bulk(), "JDK 21+ has MemorySegment.copy: the bulk path must be in use");
        SplittableRandom rng = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 7, 1001, 65_537}) {
            float[] src = new float[n];
            for (int i = 0; i < n; i++) {
                src[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            if (n > 3) {
                src[0] = Float.NaN;
                src[1] = -0f;
                src[2] = Float.intBitsToFloat(0x7fc00123); // a NaN with payload
                src[3] = Float.MIN_VALUE;
            }
            FloatArray dev = new FloatArray(n + 3);
            dev.init(42f);
            HostCopy.toDevice(src, dev);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(src[i]), Float.floatToRawIntBits(dev.get(i)), "n " + n + " at " + i);
            }
            for (int i = n; i < n + 3; i++) {
                assertEquals(42f, dev.get(i), "past the copied range");
            }
            float[] back = new float[n];
            HostCopy.toHost(dev, back);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(src[i]), Float.floatToRawIntBits(back[i]), "back, n " + n);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> HostCopy.toDevice(new float[5], new FloatArray(4)));
        assertThrows(IllegalArgumentException.class, () -> HostCopy.toHost(new FloatArray(4), new float[5]));
    }
}
