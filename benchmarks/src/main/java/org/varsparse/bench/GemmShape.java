package org.varsparse.bench;

import java.util.SplittableRandom;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The GEMMs FISTA and training run per iteration (METHOD.md §6.2, B = 250, MNIST), in the form and storage
 * layout the code calls them with. Names read FORM_m x k x n, C being m×n.
 */
public enum GemmShape {
    /** G = R·W: residual 250×784 times the dictionary W (784×128). */
    NN_250x784x128(Form.NN, 250, 784, 128),
    /** Ŷ = Z·Wᵀ: codes 250×128 times Wᵀ, W stored 784×128. */
    NT_250x128x784(Form.NT, 250, 128, 784),
    /** The Gram matrix WᵀW (of two distinct 784×128 matrices, so no library can use syrk). */
    TN_128x784x128(Form.TN, 128, 784, 128),
    /** NL decoder Ŷ = H·W2ᵀ: hidden 250×1024 times W2ᵀ, W2 stored 784×1024. */
    NT_250x1024x784(Form.NT, 250, 1024, 784),
    /** NL decoder backward G_H = R·W2: 250×784 times W2 (784×1024). */
    NN_250x784x1024(Form.NN, 250, 784, 1024),
    /** Gram-form gradient Z·(WᵀW): 250×128 times 128×128, called once per FISTA iteration. */
    NN_250x128x128(Form.NN, 250, 128, 128);

    /** C = op(A)·op(B): NN A·B, NT A·Bᵀ, TN Aᵀ·B. */
    public enum Form { NN, NT, TN }

    public final Form form;
    public final int m, k, n;

    GemmShape(Form form, int m, int k, int n) {
        this.form = form;
        this.m = m;
        this.k = k;
        this.n = n;
    }

    /** Floating-point operations of one product: 2·m·k·n. */
    public double flops() {
        return 2.0 * m * k * n;
    }

    /** A as stored: m×k, or k×m for TN. Entries uniform in [-1, 1). */
    public Matrix newA(SplittableRandom rng) {
        return form == Form.TN ? Matrix.uniform(k, m, -1f, 1f, rng) : Matrix.uniform(m, k, -1f, 1f, rng);
    }

    /** B as stored: k×n, or n×k for NT. */
    public Matrix newB(SplittableRandom rng) {
        return form == Form.NT ? Matrix.uniform(n, k, -1f, 1f, rng) : Matrix.uniform(k, n, -1f, 1f, rng);
    }

    /** C = op(A)·op(B) (alpha 1, beta 0). */
    public void multiply(TensorOps ops, Matrix a, Matrix b, Matrix c) {
        switch (form) {
            case NN -> ops.gemm(1f, a, b, 0f, c);
            case NT -> ops.gemmNT(1f, a, b, 0f, c);
            case TN -> ops.gemmTN(1f, a, b, 0f, c);
        }
    }
}
