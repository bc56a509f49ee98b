package org.varsparse.model;

import java.util.SplittableRandom;
import org.varsparse.tensor.Matrix;

/** Weight-matrix helpers shared by the models: PyTorch's default initialisation and column normalization. */
public final class Weights {
    private Weights() {
    }

    /**
     * PyTorch's default {@code nn.Linear} weight: kaiming_uniform with a = √5, i.e. U(−1/√fan_in, +1/√fan_in),
     * for an out×in matrix (fan_in = in). Draws row by row from {@code rng}.
     */
    public static Matrix linearDefault(int out, int in, SplittableRandom rng) {
        if (out <= 0 || in <= 0) {
            throw new IllegalArgumentException("weight shape " + out + "x" + in + " must be positive");
        }
        float bound = (float) (1.0 / Math.sqrt(in));
        return Matrix.uniform(out, in, -bound, bound, rng); // (out×in)
    }

    /**
     * utils.normalize_kernels (utils.py:332-341) on one weight: every column c is rescaled to L2 norm
     * {@code radius}, exactly as the reference divides, {@code W[:, c] /= (‖W[:, c]‖ / radius)} in float32.
     * The norm is accumulated in double and rounded to float32.
     *
     * <p>Deviation: a column that is exactly zero is left at zero (the reference divides 0 by 0 and
     * fills the column with NaN).
     */
    /** The L2 norm of every column of w (rows×cols), summed in double: (cols). */
    public static double[] columnNorms(Matrix w) {
        int rows = w.rows, cols = w.cols;
        double[] n = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = w.data[r * cols + c];
                n[c] += v * v;
            }
        }
        for (int c = 0; c < cols; c++) {
            n[c] = Math.sqrt(n[c]);
        }
        return n;
    }

    public static void normalizeColumns(Matrix w, float radius) {
        if (!(radius > 0) || Float.isInfinite(radius)) {
            throw new IllegalArgumentException("column radius must be finite and > 0, got " + radius);
        }
        int rows = w.rows, cols = w.cols;
        float[] d = w.data;
        double[] sumSq = new double[cols]; // (cols); row-major sweeps, once per optimizer step
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = d[r * cols + c];
                sumSq[c] += v * v;
            }
        }
        float[] mask = new float[cols]; // (cols) ‖W[:, c]‖ / radius; 1 for an all-zero column
        for (int c = 0; c < cols; c++) {
            float norm = (float) Math.sqrt(sumSq[c]);
            mask[c] = norm == 0f ? 1f : norm / radius;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                d[r * cols + c] /= mask[c];
            }
        }
    }
}
