package org.varsparse.model;

import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/** Argument checks and the MSE residual shared by the model workspaces. */
final class Shapes {
    private Shapes() {
    }

    static void require(String what, Matrix m, int rows, int cols) {
        if (m.rows != rows || m.cols != cols) {
            throw new IllegalArgumentException(what + " is " + m.shape() + ", expected " + rows + "x" + cols);
        }
    }

    /**
     * The mean-squared-error loss (1/n) Σ (pred − target)² over all n entries, and its gradient with respect to
     * pred, resid = (2/n)(pred − target), as utils.MSE(..., reduction='mean') and its autograd. rowErr (rows) is
     * scratch.
     */
    static double residual(TensorOps ops, Matrix pred, Matrix target, Matrix resid, float[] rowErr) {
        int n = pred.size();
        ops.rowSquaredDistances(pred, target, rowErr);
        double sum = 0;
        for (float e : rowErr) {
            sum += e;
        }
        float scale = 2f / n;
        resid.copyFrom(pred);
        ops.axpby(-scale, target, scale, resid); // (2/n)(pred − target)
        return sum / n;
    }
}
