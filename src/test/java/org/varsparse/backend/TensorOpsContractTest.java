package org.varsparse.backend;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * Every TensorOps method of a backend against the scalar oracle, on seeded random data and awkward sizes
 * (1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 1021 in each GEMM dimension, one at a time) plus the
 * paper's shapes. Subclasses supply only the backend and its relative tolerance; the test methods are final.
 *
 * <p>GEMM differences are relative to the size of the sum, |alpha|·Σ_p|a_ip|·max|b| + |beta·c_ij| (float
 * rounding error grows with that, not with the possibly cancelled result); reductions to Σ|terms|;
 * elementwise results to 1 + |expected| (inputs are of order 1).
 */
public abstract class TensorOpsContractTest {

    protected static final int[] SIZES = {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 1021};
    private static final long SEED = 20220901L;
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {-0.75f, 1f}, {2f, -0.5f}};

    private final TensorOps oracle = new ScalarOps();

    /** The backend under test. */
    protected abstract TensorOps ops();

    /** Largest allowed difference, relative to the scale described in the class doc. */
    protected abstract double relTol();

    private enum Form { NN, NT, TN }

    // ---------------------------------------------------------------- GEMM

    @Test
    public final void gemmAwkwardSizesOneDimensionAtATime() {
        // Base m×k×n = 100×257×17: above the simd backend's threading threshold for most sizes, with
        // fewer column panels than workers (rows get split) until n grows.
        SplittableRandom rng = new SplittableRandom(SEED);
        double worst = 0;
        int caseNo = 0;
        for (Form f : Form.values()) {
            for (int dim = 0; dim < 3; dim++) {
                for (int s : SIZES) {
                    int m = dim == 0 ? s : 100, k = dim == 1 ? s : 257, n = dim == 2 ? s : 17;
                    float[] ab = ALPHA_BETA[caseNo++ % ALPHA_BETA.length];
                    worst = Math.max(worst, checkGemm(f, m, k, n, ab[0], ab[1], rng));
                }
            }
        }
        report("gemm, awkward sizes (3 forms x 3 dims x 13 sizes)", worst);
    }

    @Test
    public final void gemmPaperShapes() {
        SplittableRandom rng = new SplittableRandom(SEED + 1);
        double worst = 0;
        // METHOD §6.2: Ŷ = Z·Wᵀ (250×128 · (784×128)ᵀ), G = R·W (250×784 · 784×128), the Gram WᵀW,
        // and the NL decoder's 250×1024·(784×1024)ᵀ, R·W2 (250×784 · 784×1024).
        worst = Math.max(worst, checkGemm(Form.NN, 250, 784, 128, 1f, 0f, rng));
        worst = Math.max(worst, checkGemm(Form.NT, 250, 128, 784, 1f, 0f, rng));
        worst = Math.max(worst, checkGemm(Form.TN, 128, 784, 128, 2f / 784, 0f, rng));
        worst = Math.max(worst, checkGemm(Form.NT, 250, 1024, 784, -1f, 1f, rng));
        worst = Math.max(worst, checkGemm(Form.NN, 250, 784, 1024, 1f, 0f, rng));
        worst = Math.max(worst, checkGemm(Form.TN, 1024, 250, 784, 0.5f, 0.9f, rng));
        report("gemm, paper shapes", worst);
    }

    @Test
    public final void gemmEmptyDimensions() {
        SplittableRandom rng = new SplittableRandom(SEED + 5);
        double worst = 0;
        for (Form f : Form.values()) {
            // k = 0 leaves C = beta·C; m = 0 or n = 0 leave nothing to do
            worst = Math.max(worst, checkGemm(f, 5, 0, 9, 1f, 0.5f, rng));
            worst = Math.max(worst, checkGemm(f, 40, 0, 70, 2f, 0f, rng));
            worst = Math.max(worst, checkGemm(f, 0, 9, 5, 1f, 1f, rng));
            worst = Math.max(worst, checkGemm(f, 5, 9, 0, 1f, 1f, rng));
        }
        report("gemm, empty dimensions", worst);
    }

    @Test
    public final void gemmBetaZeroIgnoresNaNInC() {
        SplittableRandom rng = new SplittableRandom(SEED + 2);
        for (Form f : Form.values()) {
            for (int[] s : new int[][] {{7, 9, 15}, {100, 257, 33}}) {
                int m = s[0], k = s[1], n = s[2];
                Matrix a = f == Form.TN ? rand(k, m, rng) : rand(m, k, rng);
                Matrix b = f == Form.NT ? rand(n, k, rng) : rand(k, n, rng);
                Matrix c = new Matrix(m, n);
                c.fill(Float.NaN);
                gemm(ops(), f, 1f, a, b, 0f, c);
                for (int i = 0; i < c.size(); i++) {
                    if (!Float.isFinite(c.data[i])) {
                        fail(f + " " + m + "x" + k + "x" + n + ": beta = 0 let C's old NaN through at " + i);
                    }
                }
            }
        }
    }

    @Test
    public final void gemmShapeErrorsNameBothShapes() {
        TensorOps ops = ops();
        Matrix a = new Matrix(3, 4), b = new Matrix(5, 6), c = new Matrix(3, 6);
        assertShapes(() -> ops.gemm(1f, a, b, 0f, c), "3x4", "5x6");
        assertShapes(() -> ops.gemmNT(1f, a, b, 0f, c), "3x4", "5x6");
        assertShapes(() -> ops.gemmTN(1f, a, b, 0f, c), "3x4", "5x6");
        Matrix ok = new Matrix(4, 6);
        assertShapes(() -> ops.gemm(1f, a, ok, 0f, new Matrix(2, 6)), "3x4", "2x6");
        assertShapes(() -> ops.axpy(1f, new Matrix(2, 3), new Matrix(3, 2)), "2x3", "3x2");
        assertShapes(() -> ops.rowSquaredDistances(new Matrix(2, 3), new Matrix(2, 4), new float[2]), "2x3", "2x4");
        assertShapes(() -> ops.rowSums(new Matrix(2, 3), new float[3]), "2x3", "length 3");
        Matrix same = new Matrix(3, 3);
        assertThrows(IllegalArgumentException.class, () -> ops.gemm(1f, same, new Matrix(3, 3), 0f, same));
    }

    private static void assertShapes(Runnable call, String first, String second) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(first) && e.getMessage().contains(second),
                "message should name " + first + " and " + second + ": " + e.getMessage());
    }

    private double checkGemm(Form f, int m, int k, int n, float alpha, float beta, SplittableRandom rng) {
        Matrix a = f == Form.TN ? rand(k, m, rng) : rand(m, k, rng);
        Matrix b = f == Form.NT ? rand(n, k, rng) : rand(k, n, rng);
        Matrix c0 = rand(m, n, rng);
        Matrix expected = c0.copy(), actual = c0.copy();
        gemm(oracle, f, alpha, a, b, beta, expected);
        gemm(ops(), f, alpha, a, b, beta, actual);
        double maxB = 0;
        for (float v : b.data) {
            maxB = Math.max(maxB, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < m; i++) {
            double rowAbs = 0;
            for (int p = 0; p < k; p++) {
                rowAbs += Math.abs(f == Form.TN ? a.data[p * m + i] : a.data[i * k + p]);
            }
            for (int j = 0; j < n; j++) {
                int idx = i * n + j;
                double scale = Math.abs(alpha) * rowAbs * maxB + Math.abs(beta * c0.data[idx]) + Float.MIN_NORMAL;
                double rel = Math.abs(actual.data[idx] - expected.data[idx]) / scale;
                if (!(rel <= relTol())) {
                    fail(String.format(Locale.ROOT, "%s %dx%dx%d alpha=%s beta=%s: C[%d][%d] = %s, oracle %s (rel diff %.3g > %.3g, seed %d)",
                            f, m, k, n, alpha, beta, i, j, actual.data[idx], expected.data[idx], rel, relTol(), SEED));
                }
                worst = Math.max(worst, rel);
            }
        }
        return worst;
    }

    private static void gemm(TensorOps ops, Form f, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        switch (f) {
            case NN -> ops.gemm(alpha, a, b, beta, c);
            case NT -> ops.gemmNT(alpha, a, b, beta, c);
            case TN -> ops.gemmTN(alpha, a, b, beta, c);
        }
    }

    // ---------------------------------------------------------------- reductions

    @Test
    public final void reductions() {
        SplittableRandom rng = new SplittableRandom(SEED + 3);
        double worst = 0;
        for (int s : SIZES) {
            for (int[] shape : new int[][] {{s + 1, 7}, {3, s}, {s + 1, s}}) {
                int rows = shape[0], cols = shape[1];
                Matrix a = rand(rows, cols, rng), b = rand(rows, cols, rng);
                Matrix absA = abs(a);
                float[] scaleRows = new float[rows], scaleCols = new float[cols];
                oracle.rowSums(absA, scaleRows);
                oracle.colSums(absA, scaleCols);
                String at = " " + a.shape();

                worst = Math.max(worst, compare("rowSums" + at, r -> ops().rowSums(a, r), r -> oracle.rowSums(a, r), rows, scaleRows));
                worst = Math.max(worst, compare("colSums" + at, r -> ops().colSums(a, r), r -> oracle.colSums(a, r), cols, scaleCols));
                float[] meanScale = scaleCols.clone();
                for (int j = 0; j < cols; j++) {
                    meanScale[j] /= rows;
                }
                worst = Math.max(worst, compare("colMeans" + at, r -> ops().colMeans(a, r), r -> oracle.colMeans(a, r), cols, meanScale));
                float[] mean = new float[cols];
                oracle.colMeans(a, mean);
                worst = Math.max(worst, compare("colStd" + at, r -> ops().colStd(a, mean, r), r -> oracle.colStd(a, mean, r), cols, null));
                worst = Math.max(worst, compare("rowNorms" + at, r -> ops().rowNorms(a, r), r -> oracle.rowNorms(a, r), rows, null));
                worst = Math.max(worst, compare("rowSquaredDistances" + at,
                        r -> ops().rowSquaredDistances(a, b, r), r -> oracle.rowSquaredDistances(a, b, r), rows, null));
            }
        }
        report("reductions", worst);
    }

    /** scale null: relative to |expected| (sums of non-negative terms). */
    private double compare(String what, java.util.function.Consumer<float[]> actualOp,
                           java.util.function.Consumer<float[]> expectedOp, int len, float[] scale) {
        float[] actual = new float[len], expected = new float[len];
        java.util.Arrays.fill(actual, Float.NaN); // every entry must be written
        actualOp.accept(actual);
        expectedOp.accept(expected);
        double worst = 0;
        for (int i = 0; i < len; i++) {
            double s = (scale == null ? Math.abs(expected[i]) : scale[i]) + Float.MIN_NORMAL;
            double rel = Math.abs(actual[i] - expected[i]) / s;
            if (!(rel <= relTol())) {
                fail(String.format(Locale.ROOT, "%s [%d]: %s, oracle %s (rel diff %.3g, seed %d)", what, i, actual[i], expected[i], rel, SEED));
            }
            worst = Math.max(worst, rel);
        }
        return worst;
    }

    // ---------------------------------------------------------------- elementwise

    @Test
    public final void elementwise() {
        SplittableRandom rng = new SplittableRandom(SEED + 4);
        double worst = 0;
        for (int s : SIZES) {
            for (int[] shape : new int[][] {{s, 7}, {3, s}, {2, s + 1}}) {
                int rows = shape[0], cols = shape[1];
                Matrix x = special(rand(rows, cols, rng), rng), y = rand(rows, cols, rng), z = rand(rows, cols, rng);
                float[] v = rand(1, cols, rng).data;
                float[] stopped = new float[rows];
                for (int i = 0; i < rows; i++) {
                    stopped[i] = rng.nextBoolean() ? 1f : 0f;
                }
                String at = " " + x.shape();
                worst = Math.max(worst, compareInPlace("softThresholdNonNeg" + at, y, (ops, out) -> ops.softThresholdNonNeg(x, 0.25f, out)));
                worst = Math.max(worst, compareInPlace("softThresholdNonNeg in place" + at, x, (ops, out) -> ops.softThresholdNonNeg(out, 0.25f, out)));
                worst = Math.max(worst, compareInPlace("axpy" + at, y, (ops, out) -> ops.axpy(-1.5f, x, out)));
                worst = Math.max(worst, compareInPlace("axpby" + at, y, (ops, out) -> ops.axpby(0.3f, x, -2f, out)));
                worst = Math.max(worst, compareInPlace("fistaMomentum" + at, y, (ops, out) -> ops.fistaMomentum(x, z, 0.7f, out)));
                worst = Math.max(worst, compareInPlace("relu" + at, y, (ops, out) -> ops.relu(x, out)));
                worst = Math.max(worst, compareInPlace("relu in place" + at, x, (ops, out) -> ops.relu(out, out)));
                worst = Math.max(worst, compareInPlace("reluBackward" + at, y, (ops, out) -> ops.reluBackward(x, out)));
                worst = Math.max(worst, compareInPlace("maskedProxStep" + at, y,
                        (ops, out) -> ops.maskedProxStep(x, z, stopped, 0.05f, 0.3f, out)));
                worst = Math.max(worst, compareInPlace("addRowVector" + at, y, (ops, out) -> ops.addRowVector(out, v)));
            }
        }
        report("elementwise", worst);
    }

    @Test
    public final void fusedFistaKernels() {
        SplittableRandom rng = new SplittableRandom(SEED + 5);
        double worst = 0;
        for (int s : SIZES) {
            for (int[] shape : new int[][] {{s, 7}, {3, s}, {2, s + 1}, {s, 128}}) {
                int rows = shape[0], cols = shape[1];
                Matrix aux = special(rand(rows, cols, rng), rng), g = rand(rows, cols, rng), z = abs(rand(rows, cols, rng));
                Matrix auxFinite = rand(rows, cols, rng), e = rand(rows, cols, rng);
                float[] coef = rand(1, cols, rng).data, mean = rand(1, cols, rng).data;
                float[] stopped = new float[rows];
                for (int i = 0; i < rows; i++) {
                    stopped[i] = rng.nextBoolean() ? 1f : 0f;
                }
                String at = " " + aux.shape();
                float eta = 0.05f, lambda = 0.3f, mom = 0.7f;
                worst = Math.max(worst, compareInPlace("fistaStep z" + at, z,
                        (ops, out) -> ops.fistaStep(aux.copy(), g, stopped, eta, lambda, mom, out, new float[rows], new float[rows])));
                worst = Math.max(worst, compareInPlace("fistaStep aux" + at, aux,
                        (ops, out) -> ops.fistaStep(out, g, stopped, eta, lambda, mom, z.copy(), new float[rows], new float[rows])));
                worst = Math.max(worst, compare("fistaStep distSq" + at,
                        r -> ops().fistaStep(auxFinite.copy(), g, stopped, eta, lambda, mom, z.copy(), r, new float[rows]),
                        r -> oracle.fistaStep(auxFinite.copy(), g, stopped, eta, lambda, mom, z.copy(), r, new float[rows]), rows, null));
                worst = Math.max(worst, compare("fistaStep oldNorm" + at,
                        r -> ops().fistaStep(auxFinite.copy(), g, stopped, eta, lambda, mom, z.copy(), new float[rows], r),
                        r -> oracle.fistaStep(auxFinite.copy(), g, stopped, eta, lambda, mom, z.copy(), new float[rows], r), rows, null));
                for (TensorOps ops : new TensorOps[] {ops(), oracle}) {
                    assertFusedStepIsTheFourKernels(ops, aux, g, stopped, eta, lambda, mom, z, at);
                }
                for (int variant = 0; variant < 3; variant++) {
                    float[] cc = variant == 2 ? null : coef;
                    Matrix ee = variant == 1 ? null : e;
                    worst = Math.max(worst, compareInPlace("addHingeAndCodeTerms " + variant + at, g,
                            (ops, out) -> ops.addHingeAndCodeTerms(aux, cc, mean, 0.4f, ee, out)));
                }
            }
        }
        report("fused FISTA kernels", worst);
    }

    /** fistaStep does, bit for bit, maskedProxStep, fistaMomentum, rowSquaredDistances(zOld, z) and rowNorms(zOld). */
    private static void assertFusedStepIsTheFourKernels(TensorOps ops, Matrix aux0, Matrix g, float[] stopped, float eta,
                                                        float lambda, float mom, Matrix z0, String at) {
        int rows = aux0.rows;
        Matrix zNew = new Matrix(rows, aux0.cols), auxNew = new Matrix(rows, aux0.cols);
        float[] dist = new float[rows], norm = new float[rows];
        ops.maskedProxStep(aux0, g, stopped, eta, lambda, zNew);
        ops.fistaMomentum(zNew, z0, mom, auxNew);
        ops.rowSquaredDistances(z0, zNew, dist);
        ops.rowNorms(z0, norm);
        Matrix zF = z0.copy(), auxF = aux0.copy();
        float[] distF = new float[rows], normF = new float[rows];
        ops.fistaStep(auxF, g, stopped, eta, lambda, mom, zF, distF, normF);
        assertSameBits(ops.name() + " fistaStep z vs maskedProxStep" + at, zNew.data, zF.data);
        assertSameBits(ops.name() + " fistaStep aux vs fistaMomentum" + at, auxNew.data, auxF.data);
        assertSameBits(ops.name() + " fistaStep distSq vs rowSquaredDistances" + at, dist, distF);
        assertSameBits(ops.name() + " fistaStep oldNorm vs rowNorms" + at, norm, normF);
    }

    private static void assertSameBits(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + " [" + i + "]: " + actual[i] + ", separate kernels " + expected[i] + " (seed " + SEED + ")");
            }
        }
    }

    /** Runs op on a copy of start for each backend, compares; NaN must match NaN. */
    private double compareInPlace(String what, Matrix start, java.util.function.BiConsumer<TensorOps, Matrix> op) {
        Matrix actual = start.copy(), expected = start.copy();
        op.accept(ops(), actual);
        op.accept(oracle, expected);
        double worst = 0;
        for (int i = 0; i < actual.size(); i++) {
            float x = actual.data[i], y = expected.data[i];
            if (Float.isNaN(x) || Float.isNaN(y)) {
                if (Float.isNaN(x) != Float.isNaN(y)) {
                    fail(what + " [" + i + "]: " + x + ", oracle " + y + " (seed " + SEED + ")");
                }
                continue;
            }
            double rel = Math.abs(x - y) / (1 + Math.abs(y));
            if (!(rel <= relTol())) {
                fail(String.format(Locale.ROOT, "%s [%d]: %s, oracle %s (rel diff %.3g, seed %d)", what, i, x, y, rel, SEED));
            }
            worst = Math.max(worst, rel);
        }
        return worst;
    }

    // ---------------------------------------------------------------- helpers

    private void report(String what, double worst) {
        System.out.printf(Locale.ROOT, "%s vs scalar, %s: max relative difference %.3g (tolerance %.1g)%n",
                ops().name(), what, worst, relTol());
    }

    private static Matrix rand(int rows, int cols, SplittableRandom rng) {
        return Matrix.uniform(rows, cols, -1f, 1f, rng);
    }

    /** Sprinkles exact zeros (both signs), the threshold value and a NaN over x (edge cases of max/compare). */
    private static Matrix special(Matrix x, SplittableRandom rng) {
        float[] specials = {0f, -0f, 0.25f, Float.NaN};
        for (int i = 0; i < x.size(); i++) {
            if (rng.nextInt(8) == 0) {
                x.data[i] = specials[rng.nextInt(specials.length)];
            }
        }
        return x;
    }

    private static Matrix abs(Matrix a) {
        Matrix r = a.copy();
        for (int i = 0; i < r.size(); i++) {
            r.data[i] = Math.abs(r.data[i]);
        }
        return r;
    }
}
