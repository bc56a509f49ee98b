package org.varsparse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.varsparse.tensor.Matrix;

class SplitAndBatchesTest {

    private static void assertPermutationOf(int[] expectedSorted, int[] got) {
        int[] s = got.clone();
        Arrays.sort(s);
        assertArrayEquals(expectedSorted, s);
    }

    @Test
    void mnistSplitIsDisjointCompleteAndPinned() {
        Split s = Split.of(MnistDataset.TRAIN_POOL, MnistDataset.N_VAL, MnistDataset.DEFAULT_SPLIT_SEED);
        assertEquals(55_000, s.train().length);
        assertEquals(5_000, s.val().length);
        int[] all = new int[60_000];
        System.arraycopy(s.train(), 0, all, 0, 55_000);
        System.arraycopy(s.val(), 0, all, 55_000, 5_000);
        assertPermutationOf(Split.identity(60_000), all);
        // Pinned: the algorithm in Split's doc with seed 31. A change here changes every experiment's split.
        assertArrayEquals(new int[] {1432, 32431, 38429, 48020, 40475}, Arrays.copyOf(s.train(), 5));
        assertArrayEquals(new int[] {30599, 16475, 28371, 52852, 15237}, Arrays.copyOf(s.val(), 5));
        Split again = Split.of(60_000, 5_000, 31);
        assertArrayEquals(s.train(), again.train());
        assertFalse(Arrays.equals(s.val(), Split.of(60_000, 5_000, 32).val()));
        assertThrows(IllegalArgumentException.class, () -> Split.of(10, 11, 1));
    }

    @Test
    void epochOrderDependsOnlyOnSeedAndEpoch() {
        int[] subset = {6, 4, 2, 0, 5, 1, 8, 3, 7, 9};
        int[] copy = subset.clone();
        int[] e0 = Batches.shuffled(subset, 31, 0);
        int[] e1 = Batches.shuffled(subset, 31, 1);
        assertArrayEquals(copy, subset, "input untouched");
        assertPermutationOf(Split.identity(10), e0);
        assertPermutationOf(Split.identity(10), e1);
        assertArrayEquals(e1, Batches.shuffled(subset, 31, 1), "resume reproduces epoch 1 without epoch 0");
        int[] big = Split.identity(55_000);
        assertFalse(Arrays.equals(Batches.shuffled(big, 31, 0), Batches.shuffled(big, 31, 1)));
        assertFalse(Arrays.equals(Batches.shuffled(big, 31, 0), Batches.shuffled(big, 32, 0)));
        assertFalse(Arrays.equals(big, Batches.shuffled(big, 31, 0)));
        // Pinned, like the split.
        assertArrayEquals(new int[] {8, 5, 2, 6, 1, 4, 7, 0, 3, 9}, Batches.shuffled(subset, 31, 0));
        assertThrows(IllegalArgumentException.class, () -> Batches.shuffled(subset, 31, -1));
    }

    @Test
    void dropLastCounts() {
        assertEquals(220, Batches.count(55_000, 250));
        assertEquals(20, Batches.count(5_000, 250));
        assertEquals(3, Batches.count(999, 250));
        assertEquals(0, Batches.count(249, 250));
        assertThrows(IllegalArgumentException.class, () -> Batches.count(10, 0));
    }

    @Test
    void gatherCopiesTheOrderedRowsIntoTheReusedBuffer() {
        Matrix src = new Matrix(7, 3);
        for (int i = 0; i < src.data.length; i++) {
            src.data[i] = i;
        }
        int[] order = {4, 0, 6, 2, 5, 1, 3};
        Matrix buf = Batches.newBuffer(src, 3);
        assertEquals("3x3", buf.shape());
        assertSame(buf, Batches.gather(src, order, 1, buf));
        assertArrayEquals(new float[] {6, 7, 8, 15, 16, 17, 3, 4, 5}, buf.data); // rows 2, 5, 1
        Batches.gather(src, order, 0, buf);
        assertArrayEquals(new float[] {12, 13, 14, 0, 1, 2, 18, 19, 20}, buf.data); // rows 4, 0, 6
        assertThrows(IllegalArgumentException.class, () -> Batches.gather(src, order, 2, buf), "row 3 is dropped");
        assertThrows(IllegalArgumentException.class, () -> Batches.gather(src, order, 0, new Matrix(3, 2)));
    }

    @Test
    void gatherDoesNotAllocate() {
        Matrix src = new Matrix(1000, 784);
        int[] order = Batches.shuffled(Split.identity(1000), 1, 0);
        Matrix buf = Batches.newBuffer(src, 250);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 2000; i++) { // warm up (interpreter and JIT)
            Batches.gather(src, order, i % 4, buf);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1000; i++) {
            Batches.gather(src, order, i % 4, buf);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1000, "1000 gathers allocated " + allocated + " bytes");
    }
}
