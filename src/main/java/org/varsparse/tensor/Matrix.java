package org.varsparse.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A dense row-major float32 matrix: element (i, j) lives at {@code data[i * cols + j]}.
 *
 * <p>Batches are stored one sample per row (B×P inputs, B×l codes), and weights in PyTorch's
 * {@code nn.Linear} layout, out×in (a linear dictionary W is P×l, its columns are the atoms).
 * The array is exposed on purpose: kernels index it directly and the hot loops never allocate.
 */
public final class Matrix {
    public final int rows;
    public final int cols;
    public final float[] data; // (rows * cols), row-major

    public Matrix(int rows, int cols) {
        this(rows, cols, new float[checkedSize(rows, cols)]);
    }

    /** Wraps {@code data} (no copy). */
    public Matrix(int rows, int cols, float[] data) {
        if (data.length != checkedSize(rows, cols)) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " does not match shape " + rows + "x" + cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    private static int checkedSize(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + rows + "x" + cols + " has more than 2^31 elements");
        }
        return (int) n;
    }

    public static Matrix of(int rows, int cols, float... values) {
        return new Matrix(rows, cols, values.clone());
    }

    /** Entries uniform in [lo, hi) from a seeded generator (tests and initialisation). */
    public static Matrix uniform(int rows, int cols, float lo, float hi, SplittableRandom rng) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = lo + (hi - lo) * (float) rng.nextDouble();
        }
        return m;
    }

    public float get(int i, int j) {
        return data[i * cols + j];
    }

    public void set(int i, int j, float v) {
        data[i * cols + j] = v;
    }

    public int size() {
        return data.length;
    }

    public boolean sameShape(Matrix o) {
        return rows == o.rows && cols == o.cols;
    }

    public String shape() {
        return rows + "x" + cols;
    }

    public Matrix copy() {
        return new Matrix(rows, cols, data.clone());
    }

    public void copyFrom(Matrix src) {
        if (!sameShape(src)) {
            throw new IllegalArgumentException("copy from " + src.shape() + " into " + shape());
        }
        System.arraycopy(src.data, 0, data, 0, data.length);
    }

    public void fill(float v) {
        Arrays.fill(data, v);
    }

    /** A new matrix holding the transpose (cols×rows). */
    public Matrix transpose() {
        Matrix t = new Matrix(cols, rows);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t.data[j * rows + i] = data[i * cols + j];
            }
        }
        return t;
    }

    /** A new matrix holding rows {@code from} (inclusive) to {@code to} (exclusive). */
    public Matrix rowSlice(int from, int to) {
        if (from < 0 || to > rows || from > to) {
            throw new IllegalArgumentException("rows " + from + ".." + to + " of " + shape());
        }
        return new Matrix(to - from, cols, Arrays.copyOfRange(data, from * cols, to * cols));
    }

    @Override
    public String toString() {
        return "Matrix(" + shape() + ")";
    }
}
