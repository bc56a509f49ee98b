package org.varsparse.model;

import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The LISTA-style encoder (models/lista_encoder.py): c = Y·Wᵀ + b; z = relu(c); then T_L times
 * z = relu(c + z·Sᵀ). W is l×P with bias b (l), S is l×l shared across iterations, T_L = 3 in all scripts.
 *
 * <p>Encoder loss (main.py:160-171): L_E = MSE(E(Y), Z*, 'mean') = (1/(B·l)) Σ (E(Y) − Z*)², with Z* constant.
 * Backward through the T_L + 1 ReLU stages, pre_0 = c, pre_k = c + z_{k−1}·Sᵀ, z_k = relu(pre_k):
 * g_{z_T} = (2/(B·l))(z_T − Z*); for k = T_L..1: g_k = g_{z_k} ⊙ 1[pre_k > 0], ∇_S += g_kᵀ·z_{k−1},
 * g_{z_{k−1}} = g_k·S, ∇_c += g_k; finally ∇_c += g_{z_0} ⊙ 1[c > 0], ∇_W = ∇_cᵀ·Y, ∇_b = column sums of ∇_c.
 * The tied S accumulates its gradient over its T_L uses.
 *
 * <p>{@link #encode} only reads W, b and S (and allocates its temporaries): any number of threads may encode with
 * one encoder while nothing trains it. A {@link Workspace} belongs to one thread.
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

    /**
     * PyTorch's default init with the reference's zero bias (METHOD §1.7): W ~ U(±1/√P) (l×P), then
     * S ~ U(±1/√l) (l×l), drawn in that order from {@code rng}; b = 0.
     */
    public static ListaEncoder init(int inputDim, int codeDim, int iterations, SplittableRandom rng) {
        Matrix w = Weights.linearDefault(codeDim, inputDim, rng);
        Matrix s = Weights.linearDefault(codeDim, codeDim, rng);
        return new ListaEncoder(w, new float[codeDim], s, iterations);
    }

    public int codeDim() {
        return W.rows;
    }

    public int inputDim() {
        return W.cols;
    }

    /**
     * E(Y). y (B×P), out (B×l), out ≥ 0. Allocates two B×l buffers per call; training keeps every stage in a
     * {@link Workspace} instead.
     */
    public void encode(TensorOps ops, Matrix y, Matrix out) {
        Shapes.require("encoder input Y", y, y.rows, inputDim());
        Shapes.require("encoder output", out, y.rows, codeDim());
        Matrix c = new Matrix(y.rows, codeDim());   // (B×l)
        Matrix pre = new Matrix(y.rows, codeDim()); // (B×l)
        affine(ops, y, c);
        ops.relu(c, out);
        for (int k = 1; k <= iterations; k++) {
            stage(ops, c, out, pre, out);
        }
    }

    /** c = Y·Wᵀ + b. y (B×P), c (B×l). */
    private void affine(TensorOps ops, Matrix y, Matrix c) {
        ops.gemmNT(1f, y, W, 0f, c); // (B×P)·(P×l)
        ops.addRowVector(c, b);
    }

    /** One LISTA stage: pre = c + zPrev·Sᵀ, zOut = relu(pre). zOut may be zPrev; all (B×l). */
    private void stage(TensorOps ops, Matrix c, Matrix zPrev, Matrix pre, Matrix zOut) {
        pre.copyFrom(c);
        ops.gemmNT(1f, zPrev, S, 1f, pre); // (B×l)·(l×l)
        ops.relu(pre, zOut);
    }

    /** Buffers for the activations and gradients of the encoder loss at batch size B. */
    public Workspace workspace(int batch) {
        return new Workspace(this, batch);
    }

    /**
     * Forward activations and parameter gradients of L_E for one batch size, allocated once and reused:
     * {@code forward(ops, y)} keeps every stage (the training step runs it before FISTA and uses the same
     * activations for the encoder loss afterwards, METHOD §1.5), {@code backward(ops, target)} returns L_E and
     * fills ∇W, ∇b, ∇S. The stored Y is a reference: leave it unchanged until {@code backward} has run.
     */
    public static final class Workspace {
        private final ListaEncoder model;
        private final int batch;
        private final Matrix[] pre;  // [T_L + 1] (B×l): pre[0] = c = Y·Wᵀ + b, pre[k] = c + z[k−1]·Sᵀ
        private final Matrix[] z;    // [T_L + 1] (B×l): z[k] = relu(pre[k]); z[T_L] = E(Y)
        private final Matrix gZ;     // (B×l) gradient with respect to z[k]
        private final Matrix gPre;   // (B×l) gradient with respect to pre[k]
        private final Matrix gC;     // (B×l) gradient with respect to c, summed over the stages
        private final float[] rowErr; // (B)
        public final Matrix gradW;   // (l×P)
        public final float[] gradB;  // (l)
        public final Matrix gradS;   // (l×l)
        private Matrix y;            // (B×P) the input of the last forward pass
        private final List<Adam.Param> params;

        Workspace(ListaEncoder model, int batch) {
            if (batch <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batch);
            }
            int l = model.codeDim(), p = model.inputDim(), t = model.iterations;
            this.model = model;
            this.batch = batch;
            this.pre = new Matrix[t + 1];
            this.z = new Matrix[t + 1];
            for (int k = 0; k <= t; k++) {
                pre[k] = new Matrix(batch, l);
                z[k] = new Matrix(batch, l);
            }
            this.gZ = new Matrix(batch, l);
            this.gPre = new Matrix(batch, l);
            this.gC = new Matrix(batch, l);
            this.rowErr = new float[batch];
            this.gradW = new Matrix(l, p);
            this.gradB = new float[l];
            this.gradS = new Matrix(l, l);
            this.params = List.of(
                    new Adam.Param("W", model.W.data, gradW.data),
                    new Adam.Param("b", model.b, gradB),
                    new Adam.Param("S", model.S.data, gradS.data));
        }

        public int batchSize() {
            return batch;
        }

        /** E(Y) (B×l), stored; y (B×P). */
        public Matrix forward(TensorOps ops, Matrix y) {
            Shapes.require("encoder input Y", y, batch, model.inputDim());
            model.affine(ops, y, pre[0]);
            ops.relu(pre[0], z[0]);
            for (int k = 1; k <= model.iterations; k++) {
                model.stage(ops, pre[0], z[k - 1], pre[k], z[k]);
            }
            this.y = y;
            return output();
        }

        /** L_E of the last forward pass against target (B×l), and ∇W, ∇b, ∇S. */
        public double backward(TensorOps ops, Matrix target) {
            if (y == null) {
                throw new IllegalStateException("backward before forward");
            }
            Shapes.require("encoder target Z*", target, batch, model.codeDim());
            double loss = Shapes.residual(ops, z[model.iterations], target, gZ, rowErr);
            backprop(ops);
            return loss;
        }

        /** ∇W, ∇b, ∇S of any loss L, given ∂L/∂E(Y) (B×l) of the last forward pass (end-to-end training). */
        public void backwardFromGradient(TensorOps ops, Matrix gradOut) {
            if (y == null) {
                throw new IllegalStateException("backward before forward");
            }
            Shapes.require("encoder output gradient", gradOut, batch, model.codeDim());
            gZ.copyFrom(gradOut);
            backprop(ops);
        }

        /** Back through the T_L stages from gZ = ∂L/∂z[T_L]. */
        private void backprop(TensorOps ops) {
            int t = model.iterations;
            if (t == 0) {
                gradS.fill(0f);
            }
            for (int k = t; k >= 0; k--) {
                gPre.copyFrom(gZ);
                ops.reluBackward(pre[k], gPre);
                if (k == t) {
                    gC.copyFrom(gPre);
                } else {
                    ops.axpy(1f, gPre, gC);
                }
                if (k > 0) {
                    ops.gemmTN(1f, gPre, z[k - 1], k == t ? 0f : 1f, gradS); // (l×B)·(B×l)
                    ops.gemm(1f, gPre, model.S, 0f, gZ);                      // (B×l)·(l×l)
                }
            }
            ops.gemmTN(1f, gC, y, 0f, gradW); // (l×B)·(B×P)
            ops.colSums(gC, gradB);
        }

        /** E(Y) from the last forward pass (B×l). */
        public Matrix output() {
            return z[model.iterations];
        }

        /** The encoder's parameters W, b, S (module order) with their gradient buffers. */
        public List<Adam.Param> parameters() {
            return params;
        }
    }
}
