package org.varsparse.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;

class ClassifierTest {
    /** Ten Gaussian blobs around well separated centres in d dimensions. */
    record Blobs(Matrix x, int[] y) {
        static Blobs of(int n, int d, double noise, long seed, Matrix centres) {
            SplittableRandom rng = new SplittableRandom(seed);
            Matrix x = new Matrix(n, d);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = i % 10;
                for (int j = 0; j < d; j++) {
                    x.data[i * d + j] = centres.data[y[i] * d + j] + (float) (noise * rng.nextGaussian());
                }
            }
            return new Blobs(x, y);
        }
    }

    static Matrix centres(int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Matrix c = new Matrix(10, d);
        for (int i = 0; i < c.data.length; i++) {
            c.data[i] = (float) (2 * rng.nextGaussian());
        }
        return c;
    }

    @Test
    void softmaxRegressionSeparatesBlobs() {
        Matrix c = centres(20, 1);
        Blobs train = Blobs.of(200, 20, 0.5, 2, c), val = Blobs.of(200, 20, 0.5, 3, c), test = Blobs.of(500, 20, 0.5, 4, c);
        Classifier m = Classifier.linear(new ScalarOps(), 20, 5);
        double before = m.score(test.x(), test.y()).top1();
        m.train(train.x(), train.y(), val.x(), val.y(), new Classifier.Config(60, 50, 1e-2, 6));
        Classifier.Scores s = m.score(test.x(), test.y());
        assertTrue(before < 0.5, "untrained accuracy " + before);
        assertTrue(s.top1() > 0.97, "test accuracy " + s.top1());
        assertTrue(s.top3() >= s.top1());
    }

    @Test
    void listaClassifierLearnsEndToEnd() {
        Matrix c = centres(30, 7);
        Blobs train = Blobs.of(100, 30, 0.5, 8, c), val = Blobs.of(100, 30, 0.5, 9, c);
        Classifier m = Classifier.lista(new ScalarOps(), 30, 16, 3, 10);
        Classifier.Result r = m.train(train.x(), train.y(), val.x(), val.y(), new Classifier.Config(80, 50, 1e-2, 11));
        assertTrue(r.bestVal().top1() > 0.9, "validation accuracy " + r.bestVal().top1());
        assertTrue(r.valLoss()[r.bestEpoch() - 1] < r.valLoss()[0]);
    }

    /**
     * Validation labels that disagree with the training labels (a fixed permutation): the validation loss rises
     * as training fits the training labels, so the best epoch is early and its weights, not the last, are loaded.
     */
    @Test
    void bestValidationWeightsAreReloaded() {
        Matrix c = centres(10, 12);
        Blobs train = Blobs.of(100, 10, 0.3, 13, c), val = Blobs.of(100, 10, 0.3, 14, c);
        int[] wrong = Arrays.stream(val.y()).map(y -> (y + 1) % 10).toArray();
        Classifier m = Classifier.linear(new ScalarOps(), 10, 15);
        Classifier.Result r = m.train(train.x(), train.y(), val.x(), wrong, new Classifier.Config(30, 50, 1e-2, 16));
        assertTrue(r.bestEpoch() < 30, "best epoch " + r.bestEpoch());
        assertTrue(r.lastVal().loss() > r.bestVal().loss(), r.lastVal() + " vs " + r.bestVal());
        assertFalse(Arrays.equals(r.lastWeights(), m.weights()), "the last weights are still loaded");
        assertEquals(r.bestVal(), m.score(val.x(), wrong)); // the loaded weights are the best epoch's
        double min = Arrays.stream(r.valLoss()).min().orElseThrow();
        assertEquals(min, r.valLoss()[r.bestEpoch() - 1]);
    }

    @Test
    void firstPerClassTakesTheFirstInOrder() {
        int[] labels = {3, 1, 0, 1, 2, 4, 5, 6, 7, 8, 9, 0, 3, 2, 4, 5, 6, 7, 8, 9, 1};
        assertArrayEquals(new int[] {2, 1, 4, 0, 5, 6, 7, 8, 9, 10}, Classifier.firstPerClass(labels, 1));
        assertArrayEquals(new int[] {2, 11, 1, 3, 4, 13, 0, 12, 5, 14, 6, 15, 7, 16, 8, 17, 9, 18, 10, 19},
                Classifier.firstPerClass(labels, 2));
    }
}
