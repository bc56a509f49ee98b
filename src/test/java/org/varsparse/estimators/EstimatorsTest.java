package org.varsparse.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.SparseCodingModel;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.inference.Fista;
import org.varsparse.model.LinearDictionary;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.testutil.SyntheticDictionary;

/**
 * SparseCoder and DictionaryLearning: parameter validation, the wiring to the reference's FISTA and trainer, and
 * invariants of what they learn (reconstruction, determinism, save/load), on a small synthetic problem
 * y = z·D + noise (P = 16, 8 true unit-norm atoms, 3 non-zeros per sample), scalar backend.
 */
class EstimatorsTest {
    private static final long SEED = 5;
    private static final TensorOps OPS = new ScalarOps();
    private static SyntheticDictionary truth;
    private static Matrix train; // (600×16)
    private static Matrix probe; // (100×16)

    @BeforeAll
    static void data() {
        SplittableRandom rng = new SplittableRandom(SEED);
        truth = SyntheticDictionary.gaussian(16, 8, rng);
        train = truth.sample(600, 3, 1.0, 2.0, 0.01, rng).y();
        probe = truth.sample(100, 3, 1.0, 2.0, 0.01, rng).y();
    }

    private static DictionaryLearning.Builder learner(int epochs) {
        return DictionaryLearning.builder(12).batchSize(50).epochs(epochs).sparsityReg(0.015).varianceReg(3)
                .codeReg(1).codeStepSize(0.5).learningRates(3e-3, 1e-3).seed(SEED).backend(OPS);
    }

    private static double relativeError(Matrix y, Matrix yHat) {
        double num = 0, den = 0;
        for (int i = 0; i < y.data.length; i++) {
            num += (y.data[i] - yHat.data[i]) * (double) (y.data[i] - yHat.data[i]);
            den += y.data[i] * (double) y.data[i];
        }
        return Math.sqrt(num / den);
    }

    private static void assertNamed(Supplier<?> call, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::get);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' does not name '" + w + "'");
        }
    }

    @Test
    void parametersAreCheckedWhenSetWithTheirNameAndRange() {
        Matrix d = truth.atoms.transpose(); // (8×16)
        assertNamed(() -> SparseCoder.builder(d).alpha(-1), "alpha", ">= 0");
        assertNamed(() -> SparseCoder.builder(d).alpha(Double.NaN), "alpha", ">= 0");
        assertNamed(() -> SparseCoder.builder(d).nNonzeroCoefs(0), "nNonzeroCoefs", "[1, n_components = 8]");
        assertNamed(() -> SparseCoder.builder(d).nNonzeroCoefs(9), "nNonzeroCoefs", "[1, n_components = 8]");
        assertNamed(() -> SparseCoder.builder(d).maxIter(0), "maxIter", ">= 1");
        assertNamed(() -> SparseCoder.builder(d).codeStepSize(0), "codeStepSize", "> 0");
        assertNamed(() -> SparseCoder.builder(d).batchSize(0), "batchSize", ">= 1");
        assertNamed(() -> SparseCoder.builder(d).varianceReg(-0.5), "varianceReg", ">= 0");
        assertNamed(() -> SparseCoder.builder(d).alpha(1).sparsityReg(0.1).build(), "alpha", "sparsityReg");
        assertNamed(() -> SparseCoder.builder(d).algorithm(SparseCoder.Algorithm.LISTA).build(), "LISTA", "encoder");
        assertNamed(() -> SparseCoder.builder(d).algorithm(SparseCoder.Algorithm.OMP).varianceReg(1).build(),
                "varianceReg", "FISTA");
        assertNamed(() -> SparseCoder.builder(d).varianceReg(1).positive(false).build(), "positive", "varianceReg");
        assertNamed(() -> SparseCoder.builder(d).build().transform(new Matrix(3, 15)), "3x15", "8x16");
        assertNamed(() -> DictionaryLearning.builder(12).sparsityReg(-1), "sparsityReg", ">= 0");
        assertNamed(() -> DictionaryLearning.builder(12).batchSize(1), "batchSize", ">= 2");
        assertNamed(() -> DictionaryLearning.builder(0), "codeDim", ">= 1");
        assertNamed(() -> DictionaryLearning.builder(12).set("annealDecoderFactor", 2), "annealDecoderFactor", "(0, 1]");
        assertNamed(() -> learner(1).build().fit(train.rowSlice(0, 10)), "10 rows", "batchSize = 50");
        assertNamed(() -> learner(1).build().partialFit(train.rowSlice(0, 75)), "75 rows", "batchSize = 50");
    }

    @Test
    void sparseCoderFistaIsTheReferenceSolverOnDTransposed() {
        Matrix d = truth.atoms.transpose(); // (8×16)
        SparseCoder coder = SparseCoder.builder(d).sparsityReg(0.01).varianceReg(2).codeStepSize(0.5).batchSize(50)
                .backend(OPS).build();
        Matrix z = coder.transform(probe); // two batches of 50
        Fista fista = new Fista(OPS, new LinearDictionary(truth.atoms), 50, coder.fistaConfig());
        for (int k = 0; k < 2; k++) {
            Matrix want = fista.solve(probe.rowSlice(50 * k, 50 * (k + 1)), null).codes();
            assertArrayEquals(want.data, z.rowSlice(50 * k, 50 * (k + 1)).data, "batch " + k);
        }
        assertTrue(coder.nIter() >= 1 && coder.nIter() <= 200, "nIter " + coder.nIter());
        Matrix back = coder.inverseTransform(z);
        Matrix want = new Matrix(100, 16);
        // D = atomsᵀ, so z·D = z·atomsᵀ
        OPS.gemmNT(1f, z, truth.atoms, 0f, want);
        assertArrayEquals(want.data, back.data, 1e-5f);
        assertEquals(0.01 * 16 / 2, coder.alpha(), 1e-12);
    }

    /** With orthonormal atoms (mutual coherence 0) OMP must find the exact k-sparse codes; with k + 1 too. */
    @Test
    void ompRecoversExactlySparseCodesOfOrthonormalAtoms() {
        SplittableRandom rng = new SplittableRandom(SEED + 1);
        Matrix d = Matrix.uniform(8, 16, -1f, 1f, rng); // Gram–Schmidt on the rows
        for (int a = 0; a < 8; a++) {
            for (int b = 0; b < a; b++) {
                double dot = 0;
                for (int p = 0; p < 16; p++) {
                    dot += d.get(a, p) * d.get(b, p);
                }
                for (int p = 0; p < 16; p++) {
                    d.set(a, p, (float) (d.get(a, p) - dot * d.get(b, p)));
                }
            }
            double n = 0;
            for (int p = 0; p < 16; p++) {
                n += d.get(a, p) * d.get(a, p);
            }
            for (int p = 0; p < 16; p++) {
                d.set(a, p, (float) (d.get(a, p) / Math.sqrt(n)));
            }
        }
        Matrix truthZ = new Matrix(40, 8); // 2 non-zeros per row, magnitudes in ±[1, 2)
        for (int i = 0; i < 40; i++) {
            int a = rng.nextInt(8);
            int b = (a + 1 + rng.nextInt(7)) % 8;
            truthZ.set(i, a, (float) (1 + rng.nextDouble()));
            truthZ.set(i, b, (float) -(1 + rng.nextDouble()));
        }
        Matrix y = new Matrix(40, 16);
        OPS.gemm(1f, truthZ, d, 0f, y);
        SparseCoder omp = SparseCoder.builder(d).algorithm(SparseCoder.Algorithm.OMP).nNonzeroCoefs(2).backend(OPS)
                .build();
        Matrix z = omp.transform(y);
        assertArrayEquals(truthZ.data, z.data, 1e-5f);
        assertEquals(2, omp.nIter());
    }

    @Test
    void dictionaryLearningFitsTransformsAndRoundTrips(@TempDir Path tmp) {
        DictionaryLearning untrained = learner(0).build().fit(train);
        double before = relativeError(probe, untrained.inverseTransform(untrained.transform(probe)));
        DictionaryLearning dl = learner(8).build().fit(train);
        assertEquals(8, dl.nIter());
        assertEquals(8 * 12, dl.nSteps()); // 600 / 50 batches per epoch
        Matrix codes = dl.transform(probe);
        assertEquals("100x12", codes.shape());
        Matrix comps = dl.components();
        assertEquals("12x16", comps.shape());
        Matrix approx = dl.inverseTransform(codes);
        Matrix viaComponents = new Matrix(100, 16);
        OPS.gemm(1f, codes, comps, 0f, viaComponents);
        assertArrayEquals(viaComponents.data, approx.data, 1e-5f);
        double after = relativeError(probe, approx);
        System.out.printf("DictionaryLearning: probe relative error %.4f untrained, %.4f after 8 epochs%n", before, after);
        assertTrue(after < 0.5 * before, "relative error " + after + " not below half the untrained " + before);
        // the same seed gives the same model
        assertArrayEquals(comps.data, learner(8).build().fit(train).components().data);
        // LISTA and OMP transforms on the learned model
        DictionaryLearning lista = learner(8).transformAlgorithm(SparseCoder.Algorithm.LISTA).build().fit(train);
        Matrix e = new Matrix(100, 12);
        lista.model().encoder().encode(OPS, probe, e);
        assertArrayEquals(e.data, lista.transform(probe).data);
        // save / load: same transform, and training continues from the saved optimizer state
        dl.save(tmp.resolve("model"));
        DictionaryLearning back = DictionaryLearning.load(tmp.resolve("model"), SparseCoder.Algorithm.FISTA, OPS);
        assertEquals(8, back.nIter());
        assertArrayEquals(codes.data, back.transform(probe).data);
        dl.partialFit(train.rowSlice(0, 100));
        back.partialFit(train.rowSlice(0, 100));
        assertArrayEquals(dl.components().data, back.components().data);
    }

    @Test
    void partialFitIsOneTrainerStepPerBatchInRowOrder() {
        DictionaryLearning dl = learner(1).build();
        dl.partialFit(train.rowSlice(0, 100)).partialFit(train.rowSlice(100, 150));
        assertEquals(3, dl.nSteps());
        assertEquals(0, dl.nIter());
        SparseCodingModel m = SparseCodingModel.create(learner(1).build().config(), 16,
                new Metrics.Normalization(0f, 1f), OPS);
        for (int k = 0; k < 3; k++) {
            m.fitBatch(train.rowSlice(50 * k, 50 * (k + 1)));
        }
        assertArrayEquals(((LinearDictionary) m.decoder()).W.transpose().data, dl.components().data);
    }
}
