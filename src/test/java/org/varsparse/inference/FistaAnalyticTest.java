package org.varsparse.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/** Checks from first principles: finite differences, a closed form, and equivalences between code paths. */
class FistaAnalyticTest {
    private static final TensorOps OPS = new ScalarOps();

    // ---------------------------------------------------------------- a double-precision oracle of the energy

    /** Σ_i (1/P)‖y_i − D(z_i)‖² + β Σ_j max(0, T − σ_j)² + γ Σ_i (1/l)‖z_i − e_i‖², in double. */
    static double smoothEnergy(double[][] z, Matrix y, Decoder d, Matrix e, FistaConfig c) {
        int b = z.length, l = z[0].length;
        double rec = 0;
        for (int i = 0; i < b; i++) {
            double[] yHat = decode(d, z[i]);
            for (int p = 0; p < yHat.length; p++) {
                double r = y.get(i, p) - yHat[p];
                rec += r * r / yHat.length;
            }
        }
        double hinge = 0;
        for (int j = 0; j < l && c.varianceReg() > 0; j++) {
            double m = 0;
            for (double[] row : z) {
                m += row[j] / b;
            }
            double ss = 0;
            for (double[] row : z) {
                ss += (row[j] - m) * (row[j] - m);
            }
            double gap = Math.max(0, c.hingeThreshold() - Math.sqrt(ss / (b - 1)));
            hinge += gap * gap;
        }
        double code = 0;
        for (int i = 0; i < b && c.codeReg() > 0; i++) {
            for (int k = 0; k < l; k++) {
                double r = z[i][k] - e.get(i, k);
                code += r * r / l;
            }
        }
        return rec + c.varianceReg() * hinge + c.codeReg() * code;
    }

    static double[] decode(Decoder d, double[] z) {
        if (d instanceof LinearDictionary lin) {
            return matVec(lin.W, z, null);
        }
        OneHiddenDecoder nl = (OneHiddenDecoder) d;
        double[] h = matVec(nl.W1, z, nl.b1);
        for (int k = 0; k < h.length; k++) {
            h[k] = Math.max(0, h[k]);
        }
        return matVec(nl.W2, h, null);
    }

    static double[] hiddenPre(OneHiddenDecoder nl, double[] z) {
        return matVec(nl.W1, z, nl.b1);
    }

    private static double[] matVec(Matrix w, double[] x, float[] bias) {
        double[] out = new double[w.rows];
        for (int r = 0; r < w.rows; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int k = 0; k < w.cols; k++) {
                s += w.get(r, k) * x[k];
            }
            out[r] = s;
        }
        return out;
    }

    private static double[][] toDouble(Matrix m) {
        double[][] a = new double[m.rows][m.cols];
        for (int i = 0; i < m.rows; i++) {
            for (int j = 0; j < m.cols; j++) {
                a[i][j] = m.get(i, j);
            }
        }
        return a;
    }

    /** Central differences of the oracle; returns max |FD − g| / max |FD|. */
    private static double finiteDifferenceError(Matrix z, Matrix y, Decoder d, Matrix e, FistaConfig c, Matrix g) {
        double h = 1e-4;
        double[][] zd = toDouble(z);
        double maxErr = 0, maxFd = 0;
        for (int i = 0; i < z.rows; i++) {
            for (int j = 0; j < z.cols; j++) {
                double v = zd[i][j];
                zd[i][j] = v + h;
                double up = smoothEnergy(zd, y, d, e, c);
                zd[i][j] = v - h;
                double down = smoothEnergy(zd, y, d, e, c);
                zd[i][j] = v;
                double fd = (up - down) / (2 * h);
                maxFd = Math.max(maxFd, Math.abs(fd));
                maxErr = Math.max(maxErr, Math.abs(fd - g.get(i, j)));
            }
        }
        return maxErr / maxFd;
    }

    /**
     * Codes ≥ 0 where every component has σ_j > 0, component 1 has σ_j > T (hinge inactive), and component
     * {@code zeroColumn} (if ≥ 0) is 0 in every row (σ_j = 0, zero hinge subgradient).
     */
    private static Matrix codes(int b, int l, int zeroColumn, SplittableRandom rng) {
        Matrix z = Matrix.uniform(b, l, 0f, 0.6f, rng);
        for (int i = 0; i < b; i++) {
            z.set(i, 1, z.get(i, 1) * 6f);
            if (zeroColumn >= 0) {
                z.set(i, zeroColumn, 0f);
            }
        }
        return z;
    }

    private static void checkGradient(Decoder d, int b, long seed, int zeroColumn) {
        SplittableRandom rng = new SplittableRandom(seed);
        int l = d.codeDim(), p = d.outputDim();
        Matrix y = Matrix.uniform(b, p, -1f, 1f, rng);
        Matrix e = Matrix.uniform(b, l, 0f, 0.5f, rng);
        Matrix z = codes(b, l, zeroColumn, rng);
        FistaConfig c = FistaConfig.of(0.02, 0.5, 10, 0.5, 5, 200, 1e-3);
        double[][] zd = toDouble(z);
        double[] sigma = new double[l];
        for (int j = 0; j < l; j++) {
            double m = 0, ss = 0;
            for (double[] row : zd) {
                m += row[j] / b;
            }
            for (double[] row : zd) {
                ss += (row[j] - m) * (row[j] - m);
            }
            sigma[j] = Math.sqrt(ss / (b - 1));
        }
        assertTrue(sigma[1] > 0.5, "component 1 has an inactive hinge (σ " + sigma[1] + ")");
        for (int j = 0; j < l; j++) {
            if (j == zeroColumn) {
                assertEquals(0.0, sigma[j]);
            } else {
                assertTrue(sigma[j] > 0 && Math.abs(sigma[j] - 0.5) > 1e-2, "σ_" + j + " = " + sigma[j] + " (seed " + seed + ")");
            }
        }
        if (d instanceof OneHiddenDecoder nl) {
            for (double[] row : zd) {
                for (double v : hiddenPre(nl, row)) {
                    assertTrue(Math.abs(v) > 1e-3, "a hidden unit sits on its ReLU kink (seed " + seed + ")");
                }
            }
        }
        Fista fista = new Fista(OPS, d, b, c);
        Matrix g = new Matrix(b, l);
        fista.gradient(y, e, z, g);
        double err = finiteDifferenceError(z, y, d, e, c, g);
        System.out.printf("gradient vs finite differences, %s, zero column %d: %.3g of max|∇|%n",
                d.getClass().getSimpleName(), zeroColumn, err);
        assertTrue(err < 1e-4, "gradient differs from central differences by " + err + " (seed " + seed + ")");
    }

    @Test
    void linearGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(11);
        Decoder d = new LinearDictionary(Matrix.uniform(20, 6, -0.5f, 0.5f, rng));
        checkGradient(d, 9, 12, -1);
        checkGradient(d, 9, 13, 3);
    }

    @Test
    void nonlinearGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(21);
        OneHiddenDecoder d = new OneHiddenDecoder(Matrix.uniform(7, 6, -0.5f, 0.5f, rng),
                Matrix.uniform(1, 7, -0.2f, 0.2f, rng).data, Matrix.uniform(20, 7, -1f, 1f, rng));
        checkGradient(d, 9, 22, -1);
        checkGradient(d, 9, 23, 4);
    }

    // ---------------------------------------------------------------- closed form

    /**
     * Orthonormal atoms, β = γ = 0: the energy (1/P)‖y − Wz‖² + λ‖z‖₁, z ≥ 0 separates into
     * (1/P)(z_j − (Wᵀy)_j)² + λz_j + const, whose minimiser is z_j = max(0, (Wᵀy)_j − λP/2).
     */
    @Test
    void orthonormalDictionaryConvergesToTheClosedForm() {
        int p = 16, l = 8, b = 5;
        SplittableRandom rng = new SplittableRandom(31);
        double[][] q = new double[l][p]; // Gram–Schmidt on random columns
        for (int j = 0; j < l; j++) {
            for (int r = 0; r < p; r++) {
                q[j][r] = rng.nextDouble(-1, 1);
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int r = 0; r < p; r++) {
                    dot += q[j][r] * q[k][r];
                }
                for (int r = 0; r < p; r++) {
                    q[j][r] -= dot * q[k][r];
                }
            }
            double n = 0;
            for (int r = 0; r < p; r++) {
                n += q[j][r] * q[j][r];
            }
            for (int r = 0; r < p; r++) {
                q[j][r] /= Math.sqrt(n);
            }
        }
        Matrix w = new Matrix(p, l);
        for (int r = 0; r < p; r++) {
            for (int j = 0; j < l; j++) {
                w.set(r, j, (float) q[j][r]);
            }
        }
        Matrix y = Matrix.uniform(b, p, -1f, 1f, rng);
        double lambda = 0.05; // λP/2 = 0.4
        // η·(2/P) = 0.5: the smooth part's Lipschitz constant is 2/P for orthonormal atoms.
        FistaConfig c = FistaConfig.of(lambda, p / 4.0, 0, 0.5, 0, 500, 1e-6).withEncoderInit(false);
        FistaResult r = new Fista(OPS, new LinearDictionary(w), b, c).solve(y, null);
        assertTrue(r.iterations() < 500, "converged before the cap");
        double maxErr = 0;
        int zeros = 0, positives = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < l; j++) {
                double wty = 0;
                for (int k = 0; k < p; k++) {
                    wty += (double) w.get(k, j) * y.get(i, k);
                }
                double expected = Math.max(0, wty - lambda * p / 2);
                float got = r.codes().get(i, j);
                if (expected == 0) {
                    zeros++;
                    assertEquals(0f, got, "z[" + i + "][" + j + "] (Wᵀy = " + wty + ") is exactly 0");
                } else {
                    positives++;
                }
                maxErr = Math.max(maxErr, Math.abs(got - expected));
            }
        }
        System.out.printf("closed form: %d iterations, %d zeros, %d positive, max |Δz| %.3g%n", r.iterations(), zeros,
                positives, maxErr);
        assertTrue(zeros > 5 && positives > 5, "both regimes are exercised");
        assertTrue(maxErr < 1e-5, "max |z − z*| " + maxErr);
    }

    // ---------------------------------------------------------------- equivalent code paths

    @Test
    void gramFormMatchesTheExplicitGemms() {
        GoldenCases c = GoldenCases.linearVdl();
        Fista gram = new Fista(OPS, c.decoder(), c.batchSize(), c.config(), new Fista.Strategy(true, false));
        Fista explicit = new Fista(OPS, c.decoder(), c.batchSize(), c.config(), new Fista.Strategy(false, false));
        Matrix g1 = new Matrix(c.batchSize(), c.e().cols);
        Matrix g2 = new Matrix(c.batchSize(), c.e().cols);
        gram.gradient(c.y(), c.e(), c.e(), g1);
        explicit.gradient(c.y(), c.e(), c.e(), g2);
        double gradDiff = maxAbsDiff(g1, g2) / maxAbs(g2);
        System.out.printf("Gram vs explicit gradient at E: %.3g of max|∇|%n", gradDiff);
        assertTrue(gradDiff < 1e-5, "gradient differs by " + gradDiff);

        GoldenCases sdl = GoldenCases.linearSdl(); // margins ≥ 2.6e-4 of tol: no stop decision can flip
        FistaResult a = new Fista(OPS, sdl.decoder(), sdl.batchSize(), sdl.config(), Fista.Strategy.FAST)
                .solve(sdl.y(), sdl.e());
        FistaResult b = new Fista(OPS, sdl.decoder(), sdl.batchSize(), sdl.config(), new Fista.Strategy(false, true))
                .solve(sdl.y(), sdl.e());
        assertEquals(b.iterations(), a.iterations());
        assertArrayEquals(b.steps(), a.steps());
        double codesDiff = maxAbsDiff(a.codes(), b.codes()) / maxAbs(b.codes());
        System.out.printf("Gram vs explicit FISTA (case 3): codes %.3g of max|Z|%n", codesDiff);
        assertTrue(codesDiff < 1e-5, "codes differ by " + codesDiff);
    }

    /** A stopped row's step ignores its gradient, so skipping its decoder work changes no bit. */
    @Test
    void skippingStoppedRowsIsExact() {
        GoldenCases vdl = GoldenCases.linearVdl();
        assertSkippingIsExact(vdl.name(), vdl.y(), vdl.decoder(), vdl.e(), vdl.config(), true);
        // The explicit two-GEMM path on the first 64 samples (the scalar GEMMs of all 250 rows are slow).
        assertSkippingIsExact(vdl.name() + "[0:64]", vdl.y().rowSlice(0, 64), vdl.decoder(), vdl.e().rowSlice(0, 64),
                vdl.config(), false);
        GoldenCases nl = GoldenCases.nonlinearVdlNl();
        assertSkippingIsExact(nl.name(), nl.y(), nl.decoder(), nl.e(), nl.config(), false);
    }

    private static void assertSkippingIsExact(String label, Matrix y, Decoder d, Matrix e, FistaConfig c, boolean gram) {
        FistaResult a = new Fista(OPS, d, y.rows, c, new Fista.Strategy(gram, true)).solve(y, e);
        FistaResult b = new Fista(OPS, d, y.rows, c, new Fista.Strategy(gram, false)).solve(y, e);
        assertTrue(b.meanSteps() < b.iterations() - 1, label + ": rows do stop in this case");
        assertEquals(b.iterations(), a.iterations(), label);
        assertArrayEquals(b.steps(), a.steps(), label);
        assertArrayEquals(b.codes().data, a.codes().data, label);
    }

    /**
     * With β = 0 the rows do not interact, so {@code freezeConverged} must give each row exactly the code the
     * reference loop holds at the iteration where that row first stops, and count the iterations before it.
     */
    @Test
    void freezeConvergedStopsEachRowWhereTheReferenceFirstStopsIt() {
        GoldenCases full = GoldenCases.linearSdl();
        int b = 48;
        Matrix y = full.y().rowSlice(0, b);
        Matrix e = full.e().rowSlice(0, b);
        FistaConfig reference = full.config();
        Fista fista = new Fista(OPS, full.decoder(), b, reference);
        fista.setRecordTrace(true);
        FistaResult ref = fista.solve(y, e);
        FistaResult frozen = new Fista(OPS, full.decoder(), b, reference.withFreezeConverged(true)).solve(y, e);

        int[] firstStop = new int[b]; // iterations run when row i first stops (its freeze-mode step count + 1)
        int last = 0;
        int drifted = 0;
        for (int i = 0; i < b; i++) {
            int k = 0;
            while (k < ref.iterations() && ref.trace().mask()[k][i] == 0) {
                k++;
            }
            assertTrue(k < ref.iterations(), "row " + i + " stops in the reference run");
            firstStop[i] = k + 1;
            last = Math.max(last, k + 1);
            assertEquals(k, frozen.steps()[i], "row " + i + ": frozen rows stop counting");
        }
        assertEquals(last, frozen.iterations(), "the loop ends when the last row freezes");
        for (int i = 0; i < b; i++) {
            FistaResult upTo = new Fista(OPS, full.decoder(), b, reference.withMaxInferenceSteps(firstStop[i])).solve(y, e);
            for (int j = 0; j < e.cols; j++) {
                assertEquals(upTo.codes().get(i, j), frozen.codes().get(i, j), "row " + i + ", component " + j);
            }
            if (ref.steps()[i] != frozen.steps()[i] || differs(ref.codes(), frozen.codes(), i)) {
                drifted++;
            }
        }
        System.out.printf("freezeConverged: %d of %d rows end elsewhere than in the reference loop; iterations %d vs %d%n",
                drifted, b, frozen.iterations(), ref.iterations());
        assertTrue(drifted > 0, "the two modes differ on this batch");
    }

    @Test
    void freezeConvergedMasksNeverUnstop() {
        GoldenCases c = GoldenCases.nonlinearVdlNl();
        Fista fista = new Fista(OPS, c.decoder(), c.batchSize(), c.config().withFreezeConverged(true));
        fista.setRecordTrace(true);
        FistaResult r = fista.solve(c.y(), c.e());
        for (int i = 0; i < c.batchSize(); i++) {
            int zeros = 0;
            for (int k = 0; k < r.iterations(); k++) {
                if (k > 0 && r.trace().mask()[k - 1][i] == 1) {
                    assertEquals(1, r.trace().mask()[k][i], "row " + i + " un-stopped at iteration " + (k + 1));
                }
                zeros += 1 - r.trace().mask()[k][i];
            }
            assertEquals(zeros, r.steps()[i], "row " + i + ": steps count the non-converged iterations");
        }
    }

    private static boolean differs(Matrix a, Matrix b, int row) {
        for (int j = 0; j < a.cols; j++) {
            if (a.get(row, j) != b.get(row, j)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- start, energy, arguments

    /** Z⁰ = 0 (use_Zs_enc_as_init off) is the same solve as starting from an all-zero encoder prediction. */
    @Test
    void zeroStartEqualsAZeroEncoderPrediction() {
        GoldenCases c = GoldenCases.nonlinearVdlNl();
        FistaConfig noCode = c.config().withCodeReg(0).withMaxInferenceSteps(40);
        FistaResult a = new Fista(OPS, c.decoder(), c.batchSize(), noCode.withEncoderInit(false)).solve(c.y(), null);
        FistaResult b = new Fista(OPS, c.decoder(), c.batchSize(), noCode).solve(c.y(), new Matrix(c.batchSize(), 32));
        assertArrayEquals(b.codes().data, a.codes().data);
        assertArrayEquals(b.steps(), a.steps());
        assertEquals(40, a.iterations());
        assertTrue(a.steps()[0] > 1);
    }

    @Test
    void energyMatchesTheDoubleOracle() {
        GoldenCases c = GoldenCases.nonlinearVdlNl();
        FistaConfig cfg = c.config();
        Matrix yHat = new Matrix(c.batchSize(), c.y().cols);
        c.decoder().decode(OPS, c.e(), yHat);
        Matrix z = codes(c.batchSize(), 32, 5, new SplittableRandom(41));
        Energy energy = new Energy(c.batchSize(), 32);
        Energy.Terms t = energy.evaluate(OPS, c.y(), yHat, c.e(), z, cfg); // codes E, reference z: γ term > 0
        double[][] ed = toDouble(c.e());
        double l1 = 0;
        for (float v : c.e().data) {
            l1 += Math.abs(v);
        }
        double smooth = smoothEnergy(ed, c.y(), c.decoder(), z, cfg); // code term ‖E − z‖²: symmetric
        double expected = smooth + cfg.sparsityReg() * l1;
        assertEquals(expected, t.total(), 1e-5 * expected);
        assertEquals(t.total(), t.reconstruction() + t.sparsity() + t.variance() + t.code(), 1e-12 * t.total());
        assertTrue(t.variance() > 0 && t.code() > 0);

        // Validation energy (METHOD.md §1.9): the encoder codes are their own reference, so the code term is 0.
        Energy.Terms v = energy.evaluate(OPS, c.y(), yHat, c.e(), c.e(), cfg);
        assertEquals(0.0, v.code());
        Energy.Terms noHinge = energy.evaluate(OPS, c.y(), yHat, c.e(), null, cfg.sparsityReg(), 0, 0.5, 0);
        assertEquals(0.0, noHinge.variance());
        assertEquals(v.total() - v.variance(), noHinge.total(), 1e-9 * v.total());
    }

    @Test
    void argumentsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> FistaConfig.of(-1, 0.5, 10, 0.5, 5, 200, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> FistaConfig.of(0.02, 0, 10, 0.5, 5, 200, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> FistaConfig.of(0.02, 0.5, Double.NaN, 0.5, 5, 200, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> FistaConfig.of(0.02, 0.5, 10, 0.5, -5, 200, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> FistaConfig.of(0.02, 0.5, 10, 0.5, 5, -1, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> FistaConfig.of(0.02, 0.5, 10, 0.5, 5, 200, -1e-3));
        LinearDictionary d = new LinearDictionary(new Matrix(20, 6));
        FistaConfig c = FistaConfig.mnistVdl();
        assertThrows(IllegalArgumentException.class, () -> new Fista(OPS, d, 1, c), "β > 0 needs B ≥ 2");
        Fista f = new Fista(OPS, d, 4, c);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> f.solve(new Matrix(4, 21), new Matrix(4, 6)));
        assertTrue(ex.getMessage().contains("4x21") && ex.getMessage().contains("4x20"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.solve(new Matrix(4, 20), new Matrix(3, 6)));
        assertThrows(IllegalArgumentException.class, () -> f.solve(new Matrix(4, 20), null), "E is needed");
        assertThrows(IllegalArgumentException.class, () -> f.solve(new Matrix(4, 20), new Matrix(4, 6), new Matrix(4, 5)));
    }

    private static double maxAbsDiff(Matrix a, Matrix b) {
        double m = 0;
        for (int i = 0; i < a.data.length; i++) {
            m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
        }
        return m;
    }

    private static double maxAbs(Matrix a) {
        double m = 0;
        for (float v : a.data) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
