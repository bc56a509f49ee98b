package org.varsparse.estimators;

import org.varsparse.tensor.Matrix;

/**
 * The argument checks of the library facades ({@link DictionaryLearning}, {@link SparseCoder},
 * {@link org.varsparse.SparseCodingModel}), so that every one words a refusal the same way: an
 * {@link IllegalArgumentException} naming the argument, what is wrong with it, and the fix. The solvers behind them
 * trust their input: a NaN in one row would spread to its whole batch (FISTA's variance term couples the rows), or
 * come out as a silently wrong code.
 */
public final class Inputs {
    private Inputs() {
    }

    /** Refuses a null matrix, naming it ({@code "X is null"}). Returns m. */
    public static Matrix notNull(String name, Matrix m) {
        if (m == null) {
            throw new IllegalArgumentException(name + " is null: pass a matrix");
        }
        return m;
    }

    /**
     * Refuses a null matrix or one holding NaN or ±Infinity, naming the first such entry by row and column (one pass
     * over the values, stopping at the first bad one). Returns m.
     */
    public static Matrix finite(String name, Matrix m) {
        notNull(name, m);
        float[] d = m.data;
        int n = m.rows * m.cols;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(d[i])) {
                throw new IllegalArgumentException(name + " " + m.shape() + " has the non-finite value " + d[i]
                        + " at row " + i / m.cols + ", column " + i % m.cols + ": remove or impute non-finite values "
                        + "(drop those rows, or replace the values, e.g. by the column mean) before passing it");
            }
        }
        return m;
    }
}
