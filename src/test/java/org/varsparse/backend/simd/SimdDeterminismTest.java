package org.varsparse.backend.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * GEMM results are bit-identical for 1, 2 and 3 workers and from one call to the next: each element's
 * summation order does not depend on the partition. Shapes are above the threading threshold and cut
 * both ways (column panels split, and rows split when n fits one panel).
 */
class SimdDeterminismTest {
    private static final long SEED = 77L;
    private static final int[][] SHAPES = { // m, k, n
        {250, 784, 128}, {257, 100, 1021}, {1021, 257, 17}, {33, 1021, 100}, {250, 128, 128},
    };

    @Test
    void oneTwoAndThreeThreadsGiveTheSameBits() {
        TensorOps one = new SimdOps(1), two = new SimdOps(2), three = new SimdOps(3);
        assertEquals(2, two.threads());
        SplittableRandom rng = new SplittableRandom(SEED);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            for (int form = 0; form < 3; form++) {
                Matrix a = form == 2 ? Matrix.uniform(k, m, -1, 1, rng) : Matrix.uniform(m, k, -1, 1, rng);
                Matrix b = form == 1 ? Matrix.uniform(n, k, -1, 1, rng) : Matrix.uniform(k, n, -1, 1, rng);
                Matrix c0 = Matrix.uniform(m, n, -1, 1, rng);
                float[] ref = run(one, form, a, b, c0);
                String what = "form " + form + " " + m + "x" + k + "x" + n + " (seed " + SEED + ")";
                assertArrayEquals(ref, run(two, form, a, b, c0), "2 threads vs 1, " + what);
                assertArrayEquals(ref, run(three, form, a, b, c0), "3 threads vs 1, " + what);
                assertArrayEquals(ref, run(two, form, a, b, c0), "2 threads, second call, " + what);
            }
        }
    }

    @Test
    void concurrentCallersOfOneBackendGetTheirOwnResults() throws Exception {
        TensorOps shared = new SimdOps(2), reference = new SimdOps(1);
        SplittableRandom rng = new SplittableRandom(SEED + 1);
        int callers = 3, calls = 20;
        Matrix[][] inputs = new Matrix[callers][];
        float[][] expected = new float[callers][];
        for (int t = 0; t < callers; t++) {
            int m = 100 + 37 * t, k = 257, n = 64 + t;
            inputs[t] = new Matrix[] {Matrix.uniform(m, k, -1, 1, rng), Matrix.uniform(k, n, -1, 1, rng), Matrix.uniform(m, n, -1, 1, rng)};
            expected[t] = run(reference, 0, inputs[t][0], inputs[t][1], inputs[t][2]);
        }
        float[][][] got = new float[callers][calls][];
        Thread[] threads = new Thread[callers];
        for (int t = 0; t < callers; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < calls; i++) {
                    got[id][i] = run(shared, 0, inputs[id][0], inputs[id][1], inputs[id][2]);
                }
            });
            threads[t].setDaemon(true);
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(60_000); // a broken pool hangs rather than computes wrong bits
            assertFalse(t.isAlive(), "a caller did not finish within 60 s");
        }
        for (int t = 0; t < callers; t++) {
            for (int i = 0; i < calls; i++) {
                assertArrayEquals(expected[t], got[t][i], "caller " + t + ", call " + i + " (seed " + SEED + ")");
            }
        }
    }

    private static float[] run(TensorOps ops, int form, Matrix a, Matrix b, Matrix c0) {
        Matrix c = c0.copy();
        switch (form) {
            case 0 -> ops.gemm(0.5f, a, b, -1f, c);
            case 1 -> ops.gemmNT(0.5f, a, b, -1f, c);
            default -> ops.gemmTN(0.5f, a, b, -1f, c);
        }
        return c.data;
    }
}
