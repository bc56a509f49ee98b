package org.varsparse.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.varsparse.tensor.Matrix;
import org.varsparse.testutil.Golden;
import org.varsparse.testutil.GoldenCompare;

/** utils.normalize_kernels (METHOD §1.8.1). */
class ColumnNormTest {

    /** Golden case 8 (column_norm): the reference's normalize_kernels(decoder, 1) in float32, P = 196, l = 32, H = 64. */
    @Test
    void goldenCase8() {
        LinearDictionary lin = new LinearDictionary(Golden.matrix("column_norm_lin_W_before"));
        lin.normalizeColumns(1f);
        GoldenCompare.assertClose("column_norm_f32_lin_W_after", lin.W.data, 1e-3, 1e-6);

        float[] b1 = Golden.floats("column_norm_nl_b1_before");
        OneHiddenDecoder nl = new OneHiddenDecoder(Golden.matrix("column_norm_nl_W1_before"), b1.clone(),
                Golden.matrix("column_norm_nl_W2_before"));
        nl.normalizeColumns(1f);
        GoldenCompare.assertClose("column_norm_f32_nl_W1_after", nl.W1.data, 1e-3, 1e-6);
        GoldenCompare.assertClose("column_norm_f32_nl_W2_after", nl.W2.data, 1e-3, 1e-6);
        assertArrayEquals(b1, nl.b1, "b1 is not normalized");
        assertArrayEquals(Golden.floats("column_norm_f32_nl_b1_after"), nl.b1);
    }

    @Test
    void columnsGetTheRadiusAndKeepTheirDirection() {
        SplittableRandom rng = new SplittableRandom(21);
        for (float radius : new float[] {1f, 2.5f}) {
            Matrix w = TestData.gaussian(37, 9, rng);
            for (int r = 0; r < w.rows; r++) {
                w.set(r, 4, 1e-3f * w.get(r, 4)); // a small column grows
                w.set(r, 6, 50f * w.get(r, 6));   // a large one shrinks
            }
            Matrix before = w.copy();
            Weights.normalizeColumns(w, radius);
            for (int c = 0; c < w.cols; c++) {
                double norm = 0, normBefore = 0;
                for (int r = 0; r < w.rows; r++) {
                    norm += (double) w.get(r, c) * w.get(r, c);
                    normBefore += (double) before.get(r, c) * before.get(r, c);
                }
                assertEquals(radius, Math.sqrt(norm), 1e-6 * radius, "norm of column " + c);
                double scale = radius / Math.sqrt(normBefore);
                for (int r = 0; r < w.rows; r++) {
                    assertEquals(before.get(r, c) * scale, w.get(r, c), 1e-6 * radius, "entry " + r + "," + c);
                }
            }
        }
    }

    @Test
    void zeroColumnStaysZeroAndBadRadiusIsRejected() {
        Matrix w = Matrix.of(2, 2, 3f, 0f, 4f, 0f);
        Weights.normalizeColumns(w, 1f);
        assertArrayEquals(new float[] {0.6f, 0f, 0.8f, 0f}, w.data, 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> Weights.normalizeColumns(w, 0f));
        assertThrows(IllegalArgumentException.class, () -> Weights.normalizeColumns(w, Float.NaN));
    }
}
