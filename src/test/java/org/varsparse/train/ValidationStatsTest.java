package org.varsparse.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.Backends;
import org.varsparse.eval.Metrics;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/** The collapse diagnostics: decoder column norms and the validation code statistics, against direct sums. */
class ValidationStatsTest {
    @Test
    void codeColumnNormsAreTheNormsOfWOrW1() {
        Matrix w = new Matrix(2, 3); // columns (3, 4), (0, 0), (1, -1)
        w.set(0, 0, 3);
        w.set(1, 0, 4);
        w.set(0, 2, 1);
        w.set(1, 2, -1);
        assertArrayEquals(new double[] {5, 0, Math.sqrt(2)}, new LinearDictionary(w).codeColumnNorms(), 1e-12);
        Matrix w2 = new Matrix(5, 2); // P = 5, H = 2
        assertArrayEquals(new double[] {5, 0, Math.sqrt(2)},
                new OneHiddenDecoder(w, new float[2], w2).codeColumnNorms(), 1e-12);
    }

    @Test
    void validationCodeStdAndDeadCodesMatchTheEncoderCodes() {
        TensorOps ops = Backends.get();
        int p = 12, l = 9, b = 8, batches = 3;
        TrainConfig c = Preset.MNIST_VDL.config().with("codeDim", l).with("batchSize", b);
        Trainer t = new Trainer(c, ops, p, Metrics.Normalization.MNIST);
        // Encoder bias of component 0 very negative: ReLU makes it 0 on every row (a dead code).
        t.encoder().b[0] = -1e6f;
        SplittableRandom rng = new SplittableRandom(5);
        Matrix y = new Matrix(batches * b + 3, p); // the 3 extra rows are the dropped partial batch
        for (int i = 0; i < y.data.length; i++) {
            y.data[i] = (float) rng.nextGaussian();
        }
        Trainer.ValStats v = t.validate(y);
        Matrix used = y.rowSlice(0, batches * b), z = new Matrix(batches * b, l);
        t.encoder().encode(ops, used, z);
        double sum = 0, min = Double.POSITIVE_INFINITY;
        int dead = 0;
        for (int j = 0; j < l; j++) {
            double m = 0, s = 0, nz = 0;
            for (int i = 0; i < z.rows; i++) {
                m += z.get(i, j);
                nz += z.get(i, j) != 0 ? 1 : 0;
            }
            m /= z.rows;
            for (int i = 0; i < z.rows; i++) {
                s += (z.get(i, j) - m) * (z.get(i, j) - m);
            }
            double std = Math.sqrt(s / z.rows);
            sum += std;
            min = Math.min(min, std);
            dead += nz == 0 ? 1 : 0;
        }
        assertEquals(1, dead);
        assertEquals(sum / l, v.codeStdMean(), 1e-9);
        assertEquals(0, v.codeStdMin(), 0);
        assertEquals(1.0 / l, v.deadCodes(), 0);
    }
}
