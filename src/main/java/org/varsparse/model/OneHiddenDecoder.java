package org.varsparse.model;

import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The one-hidden-layer decoder (models/one_hidden_decoder.py): Ŷ = relu(Z·W1ᵀ + b1)·W2ᵀ, no output bias.
 * W1 is H×l with bias b1 (H), W2 is P×H (nn.Linear layouts).
 *
 * <p>Decoder loss gradients (METHOD §1.11): H_pre = Z·W1ᵀ + b1, Hh = relu(H_pre), R = (2/(B·P))(Ŷ − Y);
 * ∇_W2 = Rᵀ·Hh (P×H), G_pre = (R·W2) ⊙ 1[H_pre > 0] (B×H; 0 at exactly 0, as PyTorch's ReLU backward),
 * ∇_W1 = G_preᵀ·Z (H×l), ∇_b1 = column sums of G_pre (H).
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

    /**
     * PyTorch's default init with the reference's zero bias (METHOD §1.7): W1 ~ U(±1/√l) (H×l), then
     * W2 ~ U(±1/√H) (P×H), drawn in that order from {@code rng}; b1 = 0.
     */
    public static OneHiddenDecoder init(int outputDim, int hiddenDim, int codeDim, SplittableRandom rng) {
        Matrix w1 = Weights.linearDefault(hiddenDim, codeDim, rng);
        Matrix w2 = Weights.linearDefault(outputDim, hiddenDim, rng);
        return new OneHiddenDecoder(w1, new float[hiddenDim], w2);
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
        forward(ops, z, h, h, out);
    }

    /** hPre = Z·W1ᵀ + b1, h = relu(hPre) (h may be hPre), out = h·W2ᵀ. */
    private void forward(TensorOps ops, Matrix z, Matrix hPre, Matrix h, Matrix out) {
        ops.gemmNT(1f, z, W1, 0f, hPre); // (B×l)·(l×H)
        ops.addRowVector(hPre, b1);
        ops.relu(hPre, h);
        ops.gemmNT(1f, h, W2, 0f, out); // (B×H)·(H×P)
    }

    @Override
    public Workspace workspace(int batch) {
        return new Workspace(this, batch);
    }

    @Override
    public void normalizeColumns(float radius) {
        Weights.normalizeColumns(W1, radius);
        Weights.normalizeColumns(W2, radius);
    }

    @Override
    public double[] codeColumnNorms() {
        return Weights.columnNorms(W1);
    }

    /** Decoder-loss buffers for the NL decoder (see {@link DecoderWorkspace}). */
    public static final class Workspace implements DecoderWorkspace {
        private final OneHiddenDecoder model;
        private final int batch;
        private final Matrix hPre;   // (B×H) Z·W1ᵀ + b1
        private final Matrix hidden; // (B×H) relu(hPre)
        private final Matrix yHat;   // (B×P)
        private final Matrix resid;  // (B×P) R = (2/(B·P))(Ŷ − Y)
        private final Matrix gPre;   // (B×H) (R·W2) ⊙ 1[hPre > 0]
        private final float[] rowErr; // (B)
        public final Matrix gradW1;  // (H×l)
        public final float[] gradB1; // (H)
        public final Matrix gradW2;  // (P×H)
        private Matrix z;            // (B×l) the codes of the last forward pass
        private final List<Adam.Param> params;

        Workspace(OneHiddenDecoder model, int batch) {
            if (batch <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batch);
            }
            int p = model.outputDim(), h = model.hiddenDim(), l = model.codeDim();
            this.model = model;
            this.batch = batch;
            this.hPre = new Matrix(batch, h);
            this.hidden = new Matrix(batch, h);
            this.yHat = new Matrix(batch, p);
            this.resid = new Matrix(batch, p);
            this.gPre = new Matrix(batch, h);
            this.rowErr = new float[batch];
            this.gradW1 = new Matrix(h, l);
            this.gradB1 = new float[h];
            this.gradW2 = new Matrix(p, h);
            this.params = List.of(
                    new Adam.Param("W1", model.W1.data, gradW1.data),
                    new Adam.Param("b1", model.b1, gradB1),
                    new Adam.Param("W2", model.W2.data, gradW2.data));
        }

        @Override
        public int batchSize() {
            return batch;
        }

        @Override
        public Matrix forward(TensorOps ops, Matrix z) {
            Shapes.require("NL decoder codes Z", z, batch, model.codeDim());
            model.forward(ops, z, hPre, hidden, yHat);
            this.z = z;
            return yHat;
        }

        @Override
        public double backward(TensorOps ops, Matrix y) {
            if (z == null) {
                throw new IllegalStateException("backward before forward");
            }
            Shapes.require("NL decoder targets Y", y, batch, model.outputDim());
            double loss = Shapes.residual(ops, yHat, y, resid, rowErr);
            ops.gemmTN(1f, resid, hidden, 0f, gradW2); // (P×B)·(B×H)
            ops.gemm(1f, resid, model.W2, 0f, gPre);   // (B×P)·(P×H)
            ops.reluBackward(hPre, gPre);
            ops.gemmTN(1f, gPre, z, 0f, gradW1);       // (H×B)·(B×l)
            ops.colSums(gPre, gradB1);
            return loss;
        }

        @Override
        public Matrix yHat() {
            return yHat;
        }

        /** relu(Z·W1ᵀ + b1) from the last forward pass (B×H); its zero fraction is the logged L0_H. */
        public Matrix hidden() {
            return hidden;
        }

        @Override
        public List<Adam.Param> parameters() {
            return params;
        }
    }
}
