package org.varsparse.model;

import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The one-hidden-layer decoder (models/one_hidden_decoder.py): Ŷ = relu(Z·W1ᵀ + b1)·W2ᵀ, no output bias.
 * W1 is H×l with bias b1 (H), W2 is P×H (nn.Linear layouts).
 */
public final class OneHiddenDecoder implements Decoder {
    public final Matrix W1; // (H×l)
    public final float[] b1; // (H)
    public final Matrix W2; // (P×H)

    public OneHiddenDecoder(Matrix w1, float[] b1, Matrix w2) {
        if (b1.length != w1.rows || w2.cols != w1.rows) {
            throw new IllegalArgumentException("decoder shapes W1 " + w1.shape() + ", b1 " + b1.length + ", W2 " + w2.shape()
                    + " do not chain (need W1 H×l, b1 H, W2 P×H)");
        }
        this.W1 = w1;
        this.b1 = b1;
        this.W2 = w2;
    }

    @Override
    public int codeDim() {
        return W1.cols;
    }

    @Override
    public int outputDim() {
        return W2.rows;
    }

    /** H, the hidden width. */
    public int hiddenDim() {
        return W1.rows;
    }

    @Override
    public void decode(TensorOps ops, Matrix z, Matrix out) {
        Matrix h = new Matrix(z.rows, hiddenDim()); // (B×H)
        ops.gemmNT(1f, z, W1, 0f, h);
        ops.addRowVector(h, b1);
        ops.relu(h, h);
        ops.gemmNT(1f, h, W2, 0f, out); // (B×H)·(H×P)
    }
}
