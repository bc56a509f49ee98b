package org.varsparse.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdamTest {

    /**
     * The formula of torch.optim.Adam (1.x), written out in double on one parameter array:
     * g += wd·p; m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= lr/(1−β₁ᵗ) · m/(√v/√(1−β₂ᵗ) + ε).
     */
    private static final class ReferenceAdam {
        final double[] p, m, v;
        int t;

        ReferenceAdam(float[] init) {
            p = FiniteDifference.widen(init);
            m = new double[init.length];
            v = new double[init.length];
        }

        void step(float[] grad, double lr, double wd) {
            t++;
            for (int i = 0; i < p.length; i++) {
                double g = grad[i] + wd * p[i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                p[i] -= lr / (1 - Math.pow(0.9, t)) * m[i] / denom;
            }
        }
    }

    @Test
    void matchesTheFormulaWithWeightDecayAndGroupLearningRates() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 12;
        float[] a = TestData.uniform(n, 1f, rng), gradA = new float[n];
        float[] b = TestData.uniform(n, 1f, rng), gradB = new float[n];
        ReferenceAdam refA = new ReferenceAdam(a), refB = new ReferenceAdam(b);
        Adam adam = new Adam(List.of(
                Adam.Group.of(1e-3, 0, new Adam.Param("a", a, gradA)),
                Adam.Group.of(3e-4, 0.5, new Adam.Param("b", b, gradB))));
        double lrA = 1e-3, lrB = 3e-4;
        for (int step = 1; step <= 6; step++) {
            for (int i = 0; i < n; i++) {
                // Gradients of mixed scale: O(1), O(1e-2), and O(1e-8) where ε decides the step.
                double scale = i % 3 == 0 ? 1 : i % 3 == 1 ? 1e-2 : 1e-8;
                gradA[i] = (float) (scale * rng.nextGaussian());
                gradB[i] = (float) (scale * rng.nextGaussian());
            }
            gradA[0] = 0f; // a zero gradient does not move the parameter without weight decay
            if (step == 4) {
                lrA /= 2;
                adam.group(0).setLr(lrA);
            }
            adam.step();
            refA.step(gradA, lrA, 0);
            refB.step(gradB, lrB, 0.5);
            for (int i = 0; i < n; i++) {
                // float32 rounding of p (|p| < 1: ulp <= 6e-8) against steps of about lr per iteration
                assertEquals(refA.p[i], a[i], 4e-7, "group a, step " + step + ", entry " + i);
                assertEquals(refB.p[i], b[i], 4e-7, "group b, step " + step + ", entry " + i);
            }
        }
        assertEquals(refA.p[0], a[0], 0, "zero gradient, no weight decay: the entry never moves");
    }

    @Test
    void firstStepMovesEachEntryByLearningRateTimesSign() {
        float[] p = new float[3], g = {0.3f, -2f, 1e-8f}; // p = 0: the float result resolves 1e-10
        float[] before = p.clone();
        new Adam(List.of(Adam.Group.of(1e-3, 0, new Adam.Param("p", p, g)))).step();
        for (int i = 0; i < p.length; i++) {
            double expected = -1e-3 * g[i] / (Math.abs(g[i]) + 1e-8); // at t = 1, m̂ = g and √v̂ = |g|
            assertEquals(expected, p[i] - before[i], 1e-9, "entry " + i);
        }
    }

    @Test
    void exportedStateResumesExactly() {
        SplittableRandom rng = new SplittableRandom(12);
        float[] w = TestData.uniform(8, 1f, rng), bias = TestData.uniform(3, 1f, rng);
        float[] gw = new float[8], gb = new float[3];
        float[][] grads = new float[10][];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = TestData.uniform(11, 1f, rng);
        }
        Adam adam = twoGroups(w, gw, bias, gb);
        for (int s = 0; s < 3; s++) {
            feed(grads[s], gw, gb);
            adam.step();
        }
        Adam.State saved = adam.exportState();
        float[] w3 = w.clone(), b3 = bias.clone();
        adam.group(0).setLr(5e-4);
        for (int s = 3; s < 6; s++) {
            feed(grads[s], gw, gb);
            adam.step();
        }
        assertEquals(3, saved.params().get(0).step(), "the export is a snapshot, not a view");

        float[] gw2 = new float[8], gb2 = new float[3];
        Adam resumed = twoGroups(w3, gw2, b3, gb2);
        resumed.group(0).setLr(0.1);
        resumed.importState(saved);
        assertEquals(1e-3, resumed.group(0).lr(), "import restores the group settings");
        resumed.group(0).setLr(5e-4);
        for (int s = 3; s < 6; s++) {
            feed(grads[s], gw2, gb2);
            resumed.step();
        }
        assertArrayEquals(w, w3, "resumed run must be bit-identical");
        assertArrayEquals(bias, b3, "resumed run must be bit-identical");

        Adam fresh = twoGroups(w3.clone(), new float[8], b3.clone(), new float[3]);
        assertNotEquals(0, saved.params().get(1).expAvgSq()[0]);
        assertThrows(IllegalArgumentException.class, () -> fresh.importState(
                new Adam.State(saved.groups(), List.of(saved.params().get(0)))));
        Adam other = new Adam(List.of(Adam.Group.of(1e-3, 0, new Adam.Param("w", new float[7], new float[7])),
                Adam.Group.of(1e-3, 0, new Adam.Param("b", new float[3], new float[3]))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.importState(saved));
        assertTrue(e.getMessage().contains("w"), e.getMessage());
    }

    @Test
    void rejectsBadConfigurations() {
        float[] p = new float[2];
        assertThrows(IllegalArgumentException.class, () -> new Adam.Param("p", p, new float[3]));
        Adam.Param param = new Adam.Param("p", p, new float[2]);
        assertThrows(IllegalArgumentException.class, () -> Adam.Group.of(-1, 0, param));
        assertThrows(IllegalArgumentException.class, () -> Adam.Group.of(1e-3, Double.NaN, param));
        assertThrows(IllegalArgumentException.class,
                () -> new Adam(List.of(Adam.Group.of(1e-3, 0, param), Adam.Group.of(1e-3, 0, param))));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(Adam.Group.of(1e-3, 0, param)), 1.0, 0.999, 1e-8));
    }

    private static Adam twoGroups(float[] w, float[] gw, float[] b, float[] gb) {
        return new Adam(List.of(Adam.Group.of(1e-3, 0, new Adam.Param("w", w, gw)),
                Adam.Group.of(1e-3, 1e-2, new Adam.Param("b", b, gb))));
    }

    private static void feed(float[] g, float[] gw, float[] gb) {
        System.arraycopy(g, 0, gw, 0, gw.length);
        System.arraycopy(g, gw.length, gb, 0, gb.length);
    }
}
