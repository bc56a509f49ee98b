package org.varsparse.model;

import java.util.SplittableRandom;
import org.varsparse.tensor.Matrix;

/** Seeded random test inputs. */
public final class TestData {
    private TestData() {
    }

    /** n values uniform in [−bound, bound). */
    public static float[] uniform(int n, float bound, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    /** i.i.d. standard normal entries. */
    public static Matrix gaussian(int rows, int cols, SplittableRandom rng) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) rng.nextGaussian();
        }
        return m;
    }
}
