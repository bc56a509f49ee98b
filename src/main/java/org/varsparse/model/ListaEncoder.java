package org.varsparse.model;

import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The LISTA-style encoder (models/lista_encoder.py): c = Y·Wᵀ + b; z = relu(c); then T_L times
 * z = relu(c + z·Sᵀ). W is l×P with bias b (l), S is l×l shared across iterations, T_L = 3 in all scripts.
 */
public final class ListaEncoder {
    public final Matrix W; // (l×P)
    public final float[] b; // (l)
    public final Matrix S; // (l×l)
    public final int iterations; // T_L

    public ListaEncoder(Matrix w, float[] b, Matrix s, int iterations) {
        if (b.length != w.rows || s.rows != w.rows || s.cols != w.rows || iterations < 0) {
            throw new IllegalArgumentException("encoder shapes W " + w.shape() + ", b " + b.length + ", S " + s.shape()
                    + ", iterations " + iterations + " do not fit (need W l×P, b l, S l×l, iterations >= 0)");
        }
        this.W = w;
        this.b = b;
        this.S = s;
        this.iterations = iterations;
    }

    public int codeDim() {
        return W.rows;
    }

    public int inputDim() {
        return W.cols;
    }

    /** E(Y). y (B×P), out (B×l), out ≥ 0. */
    public void encode(TensorOps ops, Matrix y, Matrix out) {
        Matrix c = new Matrix(y.rows, codeDim()); // (B×l)
        ops.gemmNT(1f, y, W, 0f, c);
        ops.addRowVector(c, b);
        ops.relu(c, out);
        Matrix pre = new Matrix(y.rows, codeDim());
        for (int t = 0; t < iterations; t++) {
            pre.copyFrom(c);
            ops.gemmNT(1f, out, S, 1f, pre); // c + z·Sᵀ
            ops.relu(pre, out);
        }
    }
}
