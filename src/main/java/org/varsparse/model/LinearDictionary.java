package org.varsparse.model;

import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The linear dictionary (models/linear_dictionary.py): Ŷ = Z·Wᵀ, no bias. W is P×l (nn.Linear(l → P)
 * layout); its columns are the atoms.
 *
 * <p>Decoder loss gradient (METHOD §1.11): with R = (2/(B·P))(Ŷ − Y), ∇_W L_D = Rᵀ·Z (P×l).
 */
public final class LinearDictionary implements Decoder {
    public final Matrix W; // (P×l)

    public LinearDictionary(Matrix w) {
        this.W = w;
    }

    /** PyTorch's default init (METHOD §1.7): W ~ U(±1/√l), P×l, drawn from {@code rng}. */
    public static LinearDictionary init(int outputDim, int codeDim, SplittableRandom rng) {
        return new LinearDictionary(Weights.linearDefault(outputDim, codeDim, rng));
    }

    @Override
    public int codeDim() {
        return W.cols;
    }

    @Override
    public int outputDim() {
        return W.rows;
    }

    @Override
    public void decode(TensorOps ops, Matrix z, Matrix out) {
        ops.gemmNT(1f, z, W, 0f, out); // (B×l)·(l×P)
    }

    @Override
    public Workspace workspace(int batch) {
        return new Workspace(this, batch);
    }

    @Override
    public void normalizeColumns(float radius) {
        Weights.normalizeColumns(W, radius);
    }

    @Override
    public double[] codeColumnNorms() {
        return Weights.columnNorms(W);
    }

    /** Decoder-loss buffers for the linear dictionary (see {@link DecoderWorkspace}). */
    public static final class Workspace implements DecoderWorkspace {
        private final LinearDictionary model;
        private final int batch;
        private final Matrix yHat;  // (B×P)
        private final Matrix resid; // (B×P) R = (2/(B·P))(Ŷ − Y)
        private final float[] rowErr; // (B) ‖y_i − ŷ_i‖²
        public final Matrix gradW;  // (P×l)
        private Matrix z;           // (B×l) the codes of the last forward pass
        private final List<Adam.Param> params;

        Workspace(LinearDictionary model, int batch) {
            if (batch <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batch);
            }
            int p = model.outputDim(), l = model.codeDim();
            this.model = model;
            this.batch = batch;
            this.yHat = new Matrix(batch, p);
            this.resid = new Matrix(batch, p);
            this.rowErr = new float[batch];
            this.gradW = new Matrix(p, l);
            this.params = List.of(new Adam.Param("W", model.W.data, gradW.data));
        }

        @Override
        public int batchSize() {
            return batch;
        }

        @Override
        public Matrix forward(TensorOps ops, Matrix z) {
            Shapes.require("linear decoder codes Z", z, batch, model.codeDim());
            model.decode(ops, z, yHat);
            this.z = z;
            return yHat;
        }

        @Override
        public double backward(TensorOps ops, Matrix y) {
            if (z == null) {
                throw new IllegalStateException("backward before forward");
            }
            Shapes.require("linear decoder targets Y", y, batch, model.outputDim());
            double loss = Shapes.residual(ops, yHat, y, resid, rowErr);
            ops.gemmTN(1f, resid, z, 0f, gradW); // (P×B)·(B×l)
            return loss;
        }

        @Override
        public Matrix yHat() {
            return yHat;
        }

        @Override
        public List<Adam.Param> parameters() {
            return params;
        }
    }
}
