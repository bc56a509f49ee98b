package org.varsparse.inference;

import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The inference energy as the reference reports it ({@code utils.compute_energy}, utils.py:518-531):
 * <pre>
 *   E = Σ_i (1/P)‖y_i − ŷ_i‖²                        reconstruction (MSE per sample, summed over the batch)
 *     + λ Σ_i ‖z_i‖₁                                  sparsity
 *     + β Σ_j max(0, T − σ_j(Z))²     only if β > 0   variance hinge, σ_j the unbiased std over the batch
 *     + γ Σ_i (1/l)‖z_i − e_i‖²       only if γ > 0   distance to the encoder prediction e
 * </pre>
 * Used for the FISTA energy trace (z = FISTA codes, e = E(y)) and for the validation energy that selects the
 * best epoch (z = e = E(y), so the code term is 0; METHOD.md §1.9). Terms are accumulated in double.
 *
 * <p>An instance holds the workspace for one (B, l) and may be reused; it is not thread-safe.
 */
public final class Energy {

    /** The four terms and their sum; the column order of the reference fixtures' energy files. */
    public record Terms(double total, double reconstruction, double sparsity, double variance, double code) {
        static Terms of(double reconstruction, double sparsity, double variance, double code) {
            return new Terms(reconstruction + sparsity + variance + code, reconstruction, sparsity, variance, code);
        }

        /** {total, reconstruction, sparsity, variance, code}. */
        public double[] toArray() {
            return new double[] {total, reconstruction, sparsity, variance, code};
        }
    }

    private final int batchSize;
    private final int codeDim;
    private final float[] rowValues; // (B)
    private final float[] colMean; // (l)
    private final float[] colStd; // (l)

    public Energy(int batchSize, int codeDim) {
        if (batchSize < 1 || codeDim < 1) {
            throw new IllegalArgumentException("Energy needs batchSize >= 1 and codeDim >= 1, got " + batchSize + ", " + codeDim);
        }
        this.batchSize = batchSize;
        this.codeDim = codeDim;
        this.rowValues = new float[batchSize];
        this.colMean = new float[codeDim];
        this.colStd = new float[codeDim];
    }

    /** The energy with the hyperparameters λ, β, T, γ of {@code config}. */
    public Terms evaluate(TensorOps ops, Matrix y, Matrix yHat, Matrix z, Matrix zRef, FistaConfig config) {
        return evaluate(ops, y, yHat, z, zRef, config.sparsityReg(), config.varianceReg(), config.hingeThreshold(),
                config.codeReg());
    }

    /**
     * y, yHat (B×P); z (B×l); zRef (B×l), may be null when codeReg = 0.
     *
     * @throws IllegalArgumentException on shapes that do not fit, or β > 0 with B &lt; 2 (σ_j undefined)
     */
    public Terms evaluate(TensorOps ops, Matrix y, Matrix yHat, Matrix z, Matrix zRef,
                          double sparsityReg, double varianceReg, double hingeThreshold, double codeReg) {
        if (!y.sameShape(yHat) || y.rows != batchSize || z.rows != batchSize || z.cols != codeDim
                || (zRef != null && !zRef.sameShape(z)) || (zRef == null && codeReg > 0)) {
            throw new IllegalArgumentException("Energy for B=" + batchSize + ", l=" + codeDim + ": shapes y " + y.shape()
                    + ", yHat " + yHat.shape() + ", z " + z.shape() + ", zRef " + (zRef == null ? "null" : zRef.shape())
                    + " do not fit (need y, yHat B×P; z, zRef B×l; zRef required when codeReg > 0)");
        }
        if (varianceReg > 0 && batchSize < 2) {
            throw new IllegalArgumentException("varianceReg > 0 needs a batch of at least 2 rows (unbiased std), got B = 1");
        }
        return Terms.of(reconstruction(ops, y, yHat), sparsityReg * l1(z),
                varianceReg > 0 ? varianceReg * hinge(ops, z, hingeThreshold) : 0.0,
                codeReg > 0 ? codeReg * code(ops, z, zRef) : 0.0);
    }

    /** Σ_i (1/P)‖y_i − ŷ_i‖². */
    private double reconstruction(TensorOps ops, Matrix y, Matrix yHat) {
        ops.rowSquaredDistances(y, yHat, rowValues);
        return sum(rowValues) / y.cols;
    }

    /** Σ_j max(0, T − σ_j)², σ_j the unbiased column std (utils.sqrt_var, utils.hinge). */
    private double hinge(TensorOps ops, Matrix z, double threshold) {
        ops.colMeans(z, colMean);
        ops.colStd(z, colMean, colStd);
        double s = 0;
        for (float sigma : colStd) {
            double gap = Math.max(0.0, threshold - sigma);
            s += gap * gap;
        }
        return s;
    }

    /** Σ_i (1/l)‖z_i − e_i‖². */
    private double code(TensorOps ops, Matrix z, Matrix zRef) {
        ops.rowSquaredDistances(z, zRef, rowValues);
        return sum(rowValues) / z.cols;
    }

    private static double l1(Matrix z) {
        double s = 0;
        for (float v : z.data) {
            s += Math.abs(v);
        }
        return s;
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
