package org.varsparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.inference.Fista;
import org.varsparse.tensor.Matrix;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

class SparseCodingModelTest {
    private final ScalarOps ops = new ScalarOps();
    // A small VDL model: P = 36, l = 12, B = 20.
    private final TrainConfig config = Preset.MNIST_VDL.config().with("codeDim", 12).with("batchSize", 20);

    private static Matrix data(int n, long seed) {
        return Matrix.uniform(n, 36, -0.5f, 1.5f, new SplittableRandom(seed));
    }

    @Test
    void encodeFistaSolvesWholeBatchesExactlyAsFista() {
        SparseCodingModel m = SparseCodingModel.create(config, 36, Metrics.Normalization.MNIST, ops);
        Matrix y = data(40, 1);
        Matrix codes = m.encodeFista(y);
        Fista fista = new Fista(ops, m.decoder(), 20, Trainer.fistaConfig(config));
        for (int k = 0; k < 2; k++) {
            Matrix batch = y.rowSlice(20 * k, 20 * (k + 1));
            Matrix z = fista.solve(batch, m.encode(batch)).codes();
            assertArrayEquals(z.data, codes.rowSlice(20 * k, 20 * (k + 1)).data, "batch " + k);
        }
    }

    @Test
    void encodeFistaSolvesTheTailInTheLastFullWindow() {
        SparseCodingModel m = SparseCodingModel.create(config, 36, Metrics.Normalization.MNIST, ops);
        Matrix y = data(45, 2); // batches: rows 0-19, 20-39, then the window 25-44 supplies rows 40-44
        Matrix codes = m.encodeFista(y);
        Fista fista = new Fista(ops, m.decoder(), 20, Trainer.fistaConfig(config));
        Matrix window = y.rowSlice(25, 45);
        Matrix z = fista.solve(window, m.encode(window)).codes();
        assertArrayEquals(z.rowSlice(15, 20).data, codes.rowSlice(40, 45).data);
        // Fewer rows than a batch: one batch of N; one row with β > 0 is refused.
        assertEquals(7, m.encodeFista(data(7, 3)).rows);
        assertThrows(IllegalArgumentException.class, () -> m.encodeFista(data(1, 4)));
    }

    @Test
    void fitEpochLowersTheValidationEnergyAndDecodeInvertsShapes() {
        SparseCodingModel m = SparseCodingModel.create(config.with("lrDecoder", 3e-3).with("lrEncoder", 3e-3), 36,
                Metrics.Normalization.MNIST, ops);
        Matrix train = data(200, 5);
        Matrix val = data(40, 6);
        double before = m.trainer().validate(val).energy();
        for (int e = 0; e < 5; e++) {
            m.fitEpoch(train, e);
        }
        double after = m.trainer().validate(val).energy();
        assertTrue(after < before, "validation energy " + before + " -> " + after);
        Matrix recon = m.decode(m.encode(val));
        assertEquals(40, recon.rows);
        assertEquals(36, recon.cols);
    }
}
