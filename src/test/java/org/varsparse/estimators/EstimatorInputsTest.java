package org.varsparse.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.SparseCodingModel;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.DivergenceException;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;

/**
 * Bad input to the estimators and to SparseCodingModel is refused up front with an IllegalArgumentException that names
 * the argument and the fix (null, non-finite values, empty shapes, settings in any order, load's combinations), and a
 * failed fit leaves the estimator as it was. Data: 300×64 uniform in [0, 1), 16 atoms, batch 50, scalar backend.
 */
class EstimatorInputsTest {
    private static final TensorOps OPS = new ScalarOps();
    private static Matrix x; // (300×64)
    private static Matrix dictionary; // (16×64)

    @BeforeAll
    static void data() {
        SplittableRandom rng = new SplittableRandom(11);
        x = Matrix.uniform(300, 64, 0f, 1f, rng);
        dictionary = Matrix.uniform(16, 64, -1f, 1f, rng);
    }

    private static DictionaryLearning.Builder learner() {
        return DictionaryLearning.builder(16).batchSize(50).epochs(1).maxInferenceSteps(20).seed(3).backend(OPS);
    }

    private static Matrix withValue(Matrix m, int row, int col, float v) {
        Matrix c = m.copy();
        c.set(row, col, v);
        return c;
    }

    private static IllegalArgumentException assertNamed(Supplier<?> call, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::get);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' does not name '" + w + "'");
        }
        return e;
    }

    private static void assertNamedRun(Runnable call, String... words) {
        assertNamed(() -> {
            call.run();
            return null;
        }, words);
    }

    // ------------------------------------------------------------------------------------------- non-finite values

    @Test
    void nonFiniteDataIsRefusedNamingTheArgumentTheEntryAndTheFix() {
        Matrix nan = withValue(x, 0, 5, Float.NaN);
        Matrix inf = withValue(x, 7, 63, Float.NEGATIVE_INFINITY);
        DictionaryLearning dl = learner().build().fit(x);
        assertNamed(() -> dl.transform(nan), "X", "NaN", "row 0", "column 5", "remove or impute");
        assertNamed(() -> dl.transform(inf), "X", "-Infinity", "row 7", "column 63");
        Matrix codes = dl.transform(x);
        assertNamed(() -> dl.inverseTransform(withValue(codes, 2, 3, Float.POSITIVE_INFINITY)), "codes", "Infinity",
                "row 2", "column 3");
        assertNamed(() -> learner().build().fit(nan), "X", "NaN", "row 0", "column 5");
        assertNamed(() -> learner().build().partialFit(inf.rowSlice(0, 50)), "X", "-Infinity", "row 7");
        for (SparseCoder.Algorithm a : SparseCoder.Algorithm.values()) {
            if (a == SparseCoder.Algorithm.LISTA) {
                continue;
            }
            SparseCoder coder = SparseCoder.builder(dictionary).algorithm(a).backend(OPS).build();
            assertNamed(() -> coder.transform(nan), "X", "NaN", "row 0", "column 5");
            assertNamed(() -> coder.fit(nan), "X", "NaN");
            Matrix badCodes = withValue(new Matrix(4, 16), 1, 2, Float.NaN);
            assertNamed(() -> coder.inverseTransform(badCodes), "codes", "NaN", "row 1", "column 2");
        }
        SparseCoder vdl = SparseCoder.builder(dictionary).varianceReg(1).batchSize(100).backend(OPS).build();
        assertNamed(() -> vdl.transform(nan), "X", "NaN");
        // the same coder still codes good data: nothing was left half-done
        assertEquals("300x16", vdl.transform(x).shape());
    }

    @Test
    void aNonFiniteOrAllZeroDictionaryIsRefusedAtBuild() {
        for (SparseCoder.Algorithm a : new SparseCoder.Algorithm[] {SparseCoder.Algorithm.FISTA,
                SparseCoder.Algorithm.ISTA, SparseCoder.Algorithm.LASSO_CD, SparseCoder.Algorithm.OMP}) {
            assertNamed(() -> SparseCoder.builder(withValue(dictionary, 3, 9, Float.NaN)).algorithm(a).build(),
                    "dictionary", "NaN", "row 3", "column 9", "remove or impute");
            IllegalArgumentException e = assertNamed(() -> SparseCoder.builder(new Matrix(16, 64)).algorithm(a).build(),
                    "dictionary", "all zeros");
            assertTrue(!e.getMessage().contains("codeStepSize"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------- nulls and shapes

    @Test
    void nullArgumentsAreNamed(@TempDir Path tmp) {
        DictionaryLearning dl = learner().build().fit(x);
        assertNamed(() -> dl.transform(null), "X is null");
        assertNamed(() -> dl.inverseTransform(null), "codes is null");
        assertNamed(() -> learner().build().fit(null), "X is null");
        assertNamed(() -> learner().build().partialFit(null), "X is null");
        assertNamedRun(() -> dl.save(null), "dir is null");
        assertNamedRun(() -> dl.save(Path.of("/")), "dir", "/");
        assertNamed(() -> DictionaryLearning.load(null), "dir is null");
        assertNamed(() -> DictionaryLearning.builder((Preset) null), "preset is null");
        assertNamed(() -> DictionaryLearning.builder((TrainConfig) null), "config is null");
        SparseCoder coder = SparseCoder.builder(dictionary).backend(OPS).build();
        assertNamed(() -> coder.inverseTransform(null), "codes is null");
        SparseCodingModel m = dl.model();
        assertNamed(() -> m.encode(null), "y is null");
        assertNamed(() -> m.encodeFista(null), "y is null");
        assertNamed(() -> m.decode(null), "z is null");
        assertNamed(() -> m.fitBatch(null), "y is null");
        assertNamed(() -> m.encode(new Matrix(3, 63)), "3x63", "64");
        assertNamed(() -> m.decode(new Matrix(3, 15)), "3x15", "16");
        Metrics.Normalization id = new Metrics.Normalization(0f, 1f);
        assertNamed(() -> SparseCodingModel.create(null, 64, id, OPS), "config is null");
        assertNamed(() -> SparseCodingModel.of(dl.config(), null, m.encoder(), id, OPS), "decoder is null");
        assertNamed(() -> SparseCodingModel.of(dl.config(), m.decoder(), null, id, OPS), "encoder is null");
        assertNamed(() -> SparseCodingModel.create(dl.config(), 0, id, OPS), "inputDim = 0", ">= 1");
        assertNamed(() -> m.encode(withValue(x, 4, 1, Float.NaN)), "y", "NaN", "row 4", "column 1");
    }

    @Test
    void emptyShapesAreNamedAndZeroRowsGiveZeroCodes() {
        assertNamed(() -> learner().build().fit(new Matrix(300, 0)), "X 300x0", "n_features");
        assertNamed(() -> learner().build().partialFit(new Matrix(50, 0)), "X 50x0", "n_features");
        for (SparseCoder.Algorithm a : SparseCoder.Algorithm.values()) {
            if (a == SparseCoder.Algorithm.LISTA) {
                continue;
            }
            SparseCoder coder = SparseCoder.builder(dictionary).algorithm(a).backend(OPS).build();
            assertEquals("0x16", coder.transform(new Matrix(0, 64)).shape(), a.name());
        }
        DictionaryLearning dl = learner().build().fit(x);
        assertEquals("0x16", dl.transform(new Matrix(0, 64)).shape());
        assertEquals("0x16", dl.model().encodeFista(new Matrix(0, 64)).shape());
    }

    // ------------------------------------------------------------------------------------------- builder settings

    @Test
    void oneHiddenDecoderCanBeChosenInAnyOrder() {
        TrainConfig byDefault = DictionaryLearning.builder(16).decoder(TrainConfig.DecoderKind.ONE_HIDDEN).build()
                .config();
        assertEquals(TrainConfig.DecoderKind.ONE_HIDDEN, byDefault.decoder());
        assertEquals(DictionaryLearning.Builder.DEFAULT_HIDDEN_DIM, byDefault.hiddenDim());
        assertEquals(32, DictionaryLearning.builder(16).decoder(TrainConfig.DecoderKind.ONE_HIDDEN).hiddenDim(32)
                .build().config().hiddenDim());
        assertEquals(32, DictionaryLearning.builder(16).hiddenDim(32).decoder(TrainConfig.DecoderKind.ONE_HIDDEN)
                .build().config().hiddenDim());
        assertEquals(32, DictionaryLearning.builder(16).set("hiddenDim", 32).set("decoder", "one_hidden").build()
                .config().hiddenDim());
        // a linear config keeps its hiddenDim (unused)
        assertEquals(0, DictionaryLearning.builder(16).decoder(TrainConfig.DecoderKind.LINEAR).build().config()
                .hiddenDim());
        assertNamed(() -> DictionaryLearning.builder(16).hiddenDim(0), "hiddenDim = 0", ">= 1");
    }

    @Test
    void integerSettingsRefuseFractionsAndOutOfRangeValues() {
        assertNamed(() -> DictionaryLearning.builder(16).set("codeDim", 16.7), "codeDim = 16.7", "integer");
        assertNamed(() -> DictionaryLearning.builder(16).set("seed", 1.9), "seed = 1.9", "integer");
        assertNamed(() -> DictionaryLearning.builder(16).set("epochs", 1e12), "epochs = 1.0E12", "integer");
        assertNamed(() -> DictionaryLearning.builder(16).set("codeDim", 3000000000L), "codeDim = 3000000000");
        assertNamed(() -> DictionaryLearning.builder(16).set("seed", Double.NaN), "seed = NaN");
        assertNamed(() -> DictionaryLearning.builder(16).set("seed", 1e19), "seed = 1.0E19");
        // whole numbers of any boxed type are taken exactly
        assertEquals(17, DictionaryLearning.builder(16).set("codeDim", 17.0).build().config().codeDim());
        assertEquals(17, DictionaryLearning.builder(16).set("codeDim", 17L).build().config().codeDim());
        assertEquals(-5L, DictionaryLearning.builder(16).set("seed", -5.0).build().config().seed());
        assertEquals(Long.MAX_VALUE, DictionaryLearning.builder(16).set("seed", Long.MAX_VALUE).build().config().seed());
        assertEquals(0.25, DictionaryLearning.builder(16).set("sparsityReg", 0.25f).build().config().sparsityReg());
    }

    // ------------------------------------------------------------------------------------------- failed fits

    @Test
    void aFailedFitLeavesTheEstimatorAsBefore() {
        // divergence: a huge decoder learning rate makes the weights overflow within an epoch
        DictionaryLearning fresh = learner().learningRates(1e38, 1e-3).build();
        assertThrows(DivergenceException.class, () -> fresh.fit(x));
        assertNull(fresh.model());
        assertThrows(IllegalStateException.class, () -> fresh.transform(x));
        assertThrows(DivergenceException.class, () -> fresh.partialFit(x.rowSlice(0, 100)));
        assertNull(fresh.model());
        assertEquals(0, fresh.nSteps());

        DictionaryLearning fitted = learner().build().fit(x);
        Matrix codes = fitted.transform(x);
        SparseCodingModel model = fitted.model();
        assertNamed(() -> fitted.fit(withValue(x, 0, 5, Float.NaN)), "NaN");
        assertSame(model, fitted.model());
        assertEquals(1, fitted.nIter());
        assertEquals(6, fitted.nSteps());
        assertArrayEquals(codes.data, fitted.transform(x).data);
    }

    @Test
    void aFailedPartialFitRollsBackWeightsOptimizerAndSteps() {
        DictionaryLearning dl = learner().build().fit(x);
        DictionaryLearning twin = learner().build().fit(x);
        Matrix comps = dl.components();
        Matrix bad = x.rowSlice(0, 100).copy();
        for (int j = 0; j < 64; j++) {
            bad.set(60, j, 1e30f); // the second batch overflows the energy: the first batch's step must be undone
        }
        assertThrows(DivergenceException.class, () -> dl.partialFit(bad));
        assertArrayEquals(comps.data, dl.components().data);
        assertEquals(6, dl.nSteps());
        // the optimizer state was restored too: the next steps match a twin that never saw the bad data
        dl.partialFit(x.rowSlice(100, 200));
        twin.partialFit(x.rowSlice(100, 200));
        assertArrayEquals(twin.components().data, dl.components().data);
        assertEquals(8, dl.nSteps());
    }

    // ------------------------------------------------------------------------------------------- load

    @Test
    void loadValidatesLikeBuildAndRestoresTheStepCount(@TempDir Path tmp) {
        DictionaryLearning dl = learner().build().fit(x);
        dl.save(tmp.resolve("lin"));
        assertNamed(() -> DictionaryLearning.load(tmp.resolve("lin"), null, OPS), "transformAlgorithm = null");
        DictionaryLearning defaultOps = DictionaryLearning.load(tmp.resolve("lin"), SparseCoder.Algorithm.FISTA, null);
        assertEquals("300x16", defaultOps.transform(x).shape());
        DictionaryLearning back = DictionaryLearning.load(tmp.resolve("lin"), SparseCoder.Algorithm.FISTA, OPS);
        assertEquals(1, back.nIter());
        assertEquals(6, back.nSteps());

        DictionaryLearning nl = learner().decoder(TrainConfig.DecoderKind.ONE_HIDDEN).hiddenDim(8).build()
                .partialFit(x.rowSlice(0, 50));
        nl.save(tmp.resolve("nl"));
        assertNamed(() -> DictionaryLearning.load(tmp.resolve("nl"), SparseCoder.Algorithm.OMP, OPS), "OMP",
                "LINEAR", "FISTA or LISTA");
        IllegalStateException e = assertThrows(IllegalStateException.class, nl::sparseCoder);
        assertTrue(e.getMessage().contains("sparseCoder()") && e.getMessage().contains("LINEAR"), e.getMessage());
        assertEquals(1, DictionaryLearning.load(tmp.resolve("nl"), SparseCoder.Algorithm.LISTA, OPS).nSteps());
        assertTrue(Files.isDirectory(tmp.resolve("nl")));
    }
}
