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
}
