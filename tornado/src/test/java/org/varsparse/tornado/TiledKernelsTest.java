package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The register-tiled kernels called as plain Java (no TornadoVM runtime) give bit for bit the plain kernels'
 * floats (Java never contracts a·b + c into an FMA, so equal summation order means equal bits) on awkward sizes:
 * every tile shape from all-edge (1, 3) to many tiles with a ragged edge (17, 33, 100), k = 1 included; and each
 * fused step kernel writes nothing once DONE is set. Seeded: a failure names the sizes.
 */
class TiledKernelsTest {
    private static final int[] SIZES = {1, 3, 5, 7, 17, 33, 100};

    @Test
    void tiledGemmEqualsThePlainKernelsBitForBit() {
        SplittableRandom rng = new SplittableRandom(41);
        int cases = 0;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    FloatArray a = random(m * k, rng), b = random(k * n, rng), c0 = random(m * n, rng);
                    for (float beta : new float[] {0.5f, 0f}) {
                        FloatArray ab = FloatArray.fromElements(-1.5f, beta);
                        String at = m + "x" + n + "x" + k + " beta " + beta;
                        // A·B: A (m×k), B (k×n)
                        FloatArray want = copy(c0), got = copy(c0);
                        GemmKernels.matmulNN(a, b, want, ab, m, n, k);
                        GemmKernels.matmulTiled(a, b, got, ab, m, n, k, k, 1, n, 1);
                        assertArrayEquals(want.toHeapArray(), got.toHeapArray(), "A·B " + at);
                        // A·Bᵀ: the same b read as B (n×k)
                        want = copy(c0);
                        got = copy(c0);
                        GemmKernels.matmulNT(a, b, want, ab, m, n, k);
                        GemmKernels.matmulTiled(a, b, got, ab, m, n, k, k, 1, 1, k);
                        assertArrayEquals(want.toHeapArray(), got.toHeapArray(), "A·Bᵀ " + at);
                        // Aᵀ·B: the same a read as A (k×m)
                        want = copy(c0);
                        got = copy(c0);
                        GemmKernels.matmulTN(a, b, want, ab, m, n, k);
                        GemmKernels.matmulTiled(a, b, got, ab, m, n, k, 1, m, n, 1);
                        assertArrayEquals(want.toHeapArray(), got.toHeapArray(), "Aᵀ·B " + at);
                        cases += 3;
                    }
                }
            }
        }
        assertEquals(SIZES.length * SIZES.length * SIZES.length * 6, cases);
    }

    @Test
    void tiledDecoderKernelsEqualThePlainKernelsBitForBit() {
        SplittableRandom rng = new SplittableRandom(42);
        IntArray running = new IntArray(FistaKernels.STATE);
        FloatArray params = new FloatArray(FistaKernels.PARAMS);
        params.set(FistaKernels.SCALE, 2f / 7f);
        for (int rows : new int[] {1, 3, 5, 7, 17, 33}) {
            for (int hidden : new int[] {1, 5, 17, 100}) {
                for (int l : new int[] {1, 3, 33}) {
                    for (int out : new int[] {3, 7, 100}) {
                        String at = "B " + rows + ", H " + hidden + ", l " + l + ", P " + out;
                        FloatArray aux = random(rows * l, rng), w1t = random(l * hidden, rng);
                        FloatArray b1 = random(hidden, rng);
                        FloatArray want = nan(rows * hidden), got = nan(rows * hidden);
                        FistaKernels.hiddenForward(aux, w1t, b1, want, running, rows, hidden, l);
                        FistaKernels.hiddenForwardTiled(aux, w1t, b1, got, running, rows, hidden, l);
                        assertArrayEquals(want.toHeapArray(), got.toHeapArray(), "hiddenForward " + at);

                        FloatArray hid = random(rows * hidden, rng); // about half ≤ 0: the ReLU mask matters
                        hid.set(0, 0f);
                        FloatArray w2t = random(hidden * out, rng), y = random(rows * out, rng);
                        want = nan(rows * out);
                        got = nan(rows * out);
                        FistaKernels.residual(hid, w2t, y, want, params, running, rows, out, hidden);
                        FistaKernels.residualTiled(hid, w2t, y, got, params, running, rows, out, hidden);
                        assertArrayEquals(want.toHeapArray(), got.toHeapArray(), "residual " + at);

                        FloatArray r = random(rows * out, rng), w2 = random(out * hidden, rng);
                        want = nan(rows * hidden);
                        got = nan(rows * hidden);
                        FistaKernels.hiddenBackward(r, w2, hid, want, running, rows, hidden, out);
                        FistaKernels.hiddenBackwardTiled(r, w2, hid, got, running, rows, hidden, out);
                        assertArrayEquals(want.toHeapArray(), got.toHeapArray(), "hiddenBackward " + at);

                        FloatArray gh = random(rows * hidden, rng), w1 = random(hidden * l, rng);
                        want = nan(rows * l);
                        got = nan(rows * l);
                        FistaKernels.codeGradient(gh, w1, want, running, rows, l, hidden);
                        FistaKernels.codeGradientTiled(gh, w1, got, running, rows, l, hidden);
                        assertArrayEquals(want.toHeapArray(), got.toHeapArray(), "codeGradient " + at);
                    }
                }
            }
        }
    }

    @Test
    void tiledDecoderKernelsAreNoOpsOnceDone() {
        SplittableRandom rng = new SplittableRandom(43);
        int rows = 5, hidden = 7, l = 3, out = 11;
        IntArray done = new IntArray(FistaKernels.STATE);
        done.set(FistaKernels.DONE, 1);
        FloatArray params = new FloatArray(FistaKernels.PARAMS);
        FloatArray hid = nan(rows * hidden), res = nan(rows * out), gh = nan(rows * hidden), grad = nan(rows * l);
        FistaKernels.hiddenForwardTiled(random(rows * l, rng), random(l * hidden, rng), random(hidden, rng), hid, done,
                rows, hidden, l);
        FistaKernels.residualTiled(random(rows * hidden, rng), random(hidden * out, rng), random(rows * out, rng), res,
                params, done, rows, out, hidden);
        FistaKernels.hiddenBackwardTiled(random(rows * out, rng), random(out * hidden, rng), random(rows * hidden, rng),
                gh, done, rows, hidden, out);
        FistaKernels.codeGradientTiled(random(rows * hidden, rng), random(hidden * l, rng), grad, done, rows, l,
                hidden);
        for (FloatArray untouched : new FloatArray[] {hid, res, gh, grad}) {
            assertArrayEquals(nan(untouched.getSize()).toHeapArray(), untouched.toHeapArray());
        }
    }

    private static FloatArray random(int n, SplittableRandom rng) {
        FloatArray v = new FloatArray(n);
        for (int i = 0; i < n; i++) {
            v.set(i, (float) (rng.nextDouble() * 2 - 1));
        }
        return v;
    }

    private static FloatArray nan(int n) {
        FloatArray v = new FloatArray(n);
        v.init(Float.NaN);
        return v;
    }

    private static FloatArray copy(FloatArray src) {
        return FloatArray.fromArray(src.toHeapArray());
    }
}
