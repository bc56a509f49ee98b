package org.varsparse.tornado;

import static org.varsparse.tornado.GemmKernels.TILE;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The kernels of one FISTA iteration (METHOD.md §1.4, §1.11) on row-major float32 arrays, written to give the
 * same floats as {@code inference.Fista} on the scalar backend: float GEMM accumulation, double accumulation
 * in reductions, the same operation order in the elementwise steps.
 *
 * <p>Every step kernel first reads {@code state[DONE]}: once the solve has finished (all rows converged, or K
 * iterations), further launches are no-ops. So the host can launch several iterations between convergence
 * checks and still get exactly the reference's "break at the first iteration where every row converged".
 *
 * <p>One iteration is few tasks, because on a GPU every task costs a launch whatever its size: the gradient
 * (one Gram-form task, or the four NL GEMM tasks), {@link #columnStats} (one work-item per column), {@link #proxStep}
 * (one work-item per row: prox, momentum and the row's stop test) and {@link #finishIteration} (one work-item).
 * Reductions over the batch are serial loops inside one work-item in the scalar oracle's order: no {@code @Reduce},
 * no cross-work-group combining.
 */
public final class FistaKernels {
    // params (FloatArray), uploaded with every batch
    public static final int ETA = 0; // η, lrt_Z
    public static final int LAMBDA = 1; // λ, sparsity_reg
    public static final int BETA = 2; // β, variance_reg
    public static final int THRESHOLD = 3; // T, hinge_threshold
    public static final int CODE_COEF = 4; // 2γ/l
    public static final int TOL = 5; // stop_early
    public static final int SCALE = 6; // 2/P
    public static final int ENCODER_INIT = 7; // 1: Z⁰ = E, 0: Z⁰ = 0
    public static final int MAX_STEPS = 8; // K
    public static final int PARAMS = 9;
    // state (IntArray), on the device only
    public static final int DONE = 0;
    public static final int ITERATIONS = 1;
    public static final int STATE = 2;

    private FistaKernels() {
    }

    // ---------------------------------------------------------------- per batch

    /** z = aux = E (or 0). (B·l) */
    public static void initCodes(FloatArray e, FloatArray z, FloatArray aux, FloatArray params, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float v = params.get(ENCODER_INIT) > 0f ? e.get(i) : 0f;
            z.set(i, v);
            aux.set(i, v);
        }
    }

    /** s = 0, n = 0 (B); state = (K == 0 ? done : running, 0 iterations). */
    public static void initRows(FloatArray stopped, IntArray steps, IntArray state, FloatArray params, int rows) {
        for (@Parallel int i = 0; i < rows; i++) {
            stopped.set(i, 0f);
            steps.set(i, 0);
            if (i == 0) {
                state.set(DONE, params.get(MAX_STEPS) < 1f ? 1 : 0);
                state.set(ITERATIONS, 0);
            }
        }
    }

    // ---------------------------------------------------------------- gradient of the reconstruction term

    /** Gram form: grad = (2/P)·aux·(WᵀW) − (2/P)·Y·W. aux (B×l), gram (l×l), yw (B×l). */
    public static void gramGradient(FloatArray aux, FloatArray gram, FloatArray yw, FloatArray grad,
                                    FloatArray params, IntArray state, int rows, int l) {
        for (@Parallel int i = 0; i < rows; i++) {
            for (@Parallel int j = 0; j < l; j++) {
                if (state.get(DONE) == 0) {
                    float s = 0f;
                    for (int p = 0; p < l; p++) {
                        s += aux.get(i * l + p) * gram.get(p * l + j);
                    }
                    float scale = params.get(SCALE);
                    grad.set(i * l + j, scale * s + (-scale) * yw.get(i * l + j));
                }
            }
        }
    }

    /** dst (cols×rows) = srcᵀ, src (rows×cols). Per batch: the NL weights in the layout the step kernels read. */
    public static void transpose(FloatArray src, FloatArray dst, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int c = 0; c < cols; c++) {
                dst.set(c * rows + r, src.get(r * cols + c));
            }
        }
    }

    /**
     * Hh = relu(aux·W1ᵀ + b1). aux (B×l), w1t = W1ᵀ (l×H), b1 (H), hid (B×H). W1 comes transposed so that
     * neighbouring work-items (neighbouring h; GPUs map the inner parallel loop to the fastest thread index)
     * read neighbouring addresses; the sum runs over p in the same order as the CPU's.
     */
    public static void hiddenForward(FloatArray aux, FloatArray w1t, FloatArray b1, FloatArray hid, IntArray state,
                                     int rows, int hidden, int l) {
        for (@Parallel int i = 0; i < rows; i++) {
            for (@Parallel int h = 0; h < hidden; h++) {
                if (state.get(DONE) == 0) {
                    float s = 0f;
                    for (int p = 0; p < l; p++) {
                        s += aux.get(i * l + p) * w1t.get(p * hidden + h);
                    }
                    hid.set(i * hidden + h, Math.max(0f, s + b1.get(h)));
                }
            }
        }
    }

    /** R = (2/P)(Hh·W2ᵀ − Y). hid (B×H), w2t = W2ᵀ (H×P, for coalesced reads as above), y (B×P), r (B×P). */
    public static void residual(FloatArray hid, FloatArray w2t, FloatArray y, FloatArray r, FloatArray params,
                                IntArray state, int rows, int out, int hidden) {
        for (@Parallel int i = 0; i < rows; i++) {
            for (@Parallel int q = 0; q < out; q++) {
                if (state.get(DONE) == 0) {
                    float s = 0f;
                    for (int h = 0; h < hidden; h++) {
                        s += hid.get(i * hidden + h) * w2t.get(h * out + q);
                    }
                    r.set(i * out + q, params.get(SCALE) * (s - y.get(i * out + q)));
                }
            }
        }
    }

    /** G_pre = (R·W2) ⊙ 1[Hh > 0]. r (B×P), w2 (P×H), hid (B×H), gh (B×H). */
    public static void hiddenBackward(FloatArray r, FloatArray w2, FloatArray hid, FloatArray gh, IntArray state,
                                      int rows, int hidden, int out) {
        for (@Parallel int i = 0; i < rows; i++) {
            for (@Parallel int h = 0; h < hidden; h++) {
                if (state.get(DONE) == 0) {
                    float s = 0f;
                    if (hid.get(i * hidden + h) > 0f) {
                        for (int q = 0; q < out; q++) {
                            s += r.get(i * out + q) * w2.get(q * hidden + h);
                        }
                    }
                    gh.set(i * hidden + h, s);
                }
            }
        }
    }

    /** grad = G_pre·W1. gh (B×H), w1 (H×l), grad (B×l). */
    public static void codeGradient(FloatArray gh, FloatArray w1, FloatArray grad, IntArray state, int rows, int l,
                                    int hidden) {
        for (@Parallel int i = 0; i < rows; i++) {
            for (@Parallel int j = 0; j < l; j++) {
                if (state.get(DONE) == 0) {
                    float s = 0f;
                    for (int h = 0; h < hidden; h++) {
                        s += gh.get(i * hidden + h) * w1.get(h * l + j);
                    }
                    grad.set(i * l + j, s);
                }
            }
        }
    }

    // ---------------------------------------------------------------- register-tiled (KernelVariant.TILED)
    // The four NL kernels above with GemmKernels.matmulTiled's 4 × 4 strided output blocks: work-item (ti, tj)
    // computes rows i_r = ti + r·⌈rows/4⌉ and columns j_c = tj + c·⌈cols/4⌉ (r, c = 0..3), loading 4 values of the
    // left and 4 of the right operand per p for 16 multiply-adds; edge rows / columns read the last one and are not
    // stored. Every output is the same single float sum over p = 0..k−1 in increasing order as above, followed by
    // the same fused step (bias + ReLU; −y and scale; ReLU mask), and every kernel is a no-op once DONE is set.

    /** {@link #hiddenForward}, register-tiled: Hh = relu(aux·W1ᵀ + b1). aux (B×l), w1t (l×H), b1 (H), hid (B×H). */
    public static void hiddenForwardTiled(FloatArray aux, FloatArray w1t, FloatArray b1, FloatArray hid, IntArray state,
                                          int rows, int hidden, int l) {
        for (@Parallel int ti = 0; ti < (rows + TILE - 1) / TILE; ti++) {
            for (@Parallel int tj = 0; tj < (hidden + TILE - 1) / TILE; tj++) {
                if (state.get(DONE) == 0) {
                    int mt = (rows + TILE - 1) / TILE;
                    int nt = (hidden + TILE - 1) / TILE;
                    int i0 = ti, i1 = ti + mt, i2 = ti + 2 * mt, i3 = ti + 3 * mt;
                    int j0 = tj, j1 = tj + nt, j2 = tj + 2 * nt, j3 = tj + 3 * nt;
                    int ar0 = Math.min(i0, rows - 1) * l, ar1 = Math.min(i1, rows - 1) * l;
                    int ar2 = Math.min(i2, rows - 1) * l, ar3 = Math.min(i3, rows - 1) * l;
                    int bc0 = Math.min(j0, hidden - 1), bc1 = Math.min(j1, hidden - 1);
                    int bc2 = Math.min(j2, hidden - 1), bc3 = Math.min(j3, hidden - 1);
                    float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
                    float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
                    float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
                    float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
                    for (int p = 0; p < l; p++) {
                        int pb = p * hidden;
                        float u0 = aux.get(ar0 + p), u1 = aux.get(ar1 + p);
                        float u2 = aux.get(ar2 + p), u3 = aux.get(ar3 + p);
                        float v0 = w1t.get(pb + bc0), v1 = w1t.get(pb + bc1);
                        float v2 = w1t.get(pb + bc2), v3 = w1t.get(pb + bc3);
                        s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                        s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                        s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                        s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
                    }
                    storeHidden(hid, b1, i0, j0, s00, rows, hidden);
                    storeHidden(hid, b1, i0, j1, s01, rows, hidden);
                    storeHidden(hid, b1, i0, j2, s02, rows, hidden);
                    storeHidden(hid, b1, i0, j3, s03, rows, hidden);
                    storeHidden(hid, b1, i1, j0, s10, rows, hidden);
                    storeHidden(hid, b1, i1, j1, s11, rows, hidden);
                    storeHidden(hid, b1, i1, j2, s12, rows, hidden);
                    storeHidden(hid, b1, i1, j3, s13, rows, hidden);
                    storeHidden(hid, b1, i2, j0, s20, rows, hidden);
                    storeHidden(hid, b1, i2, j1, s21, rows, hidden);
                    storeHidden(hid, b1, i2, j2, s22, rows, hidden);
                    storeHidden(hid, b1, i2, j3, s23, rows, hidden);
                    storeHidden(hid, b1, i3, j0, s30, rows, hidden);
                    storeHidden(hid, b1, i3, j1, s31, rows, hidden);
                    storeHidden(hid, b1, i3, j2, s32, rows, hidden);
                    storeHidden(hid, b1, i3, j3, s33, rows, hidden);
                }
            }
        }
    }

    private static void storeHidden(FloatArray hid, FloatArray b1, int i, int h, float s, int rows, int hidden) {
        if (i < rows && h < hidden) {
            hid.set(i * hidden + h, Math.max(0f, s + b1.get(h)));
        }
    }

    /** {@link #residual}, register-tiled: R = (2/P)(Hh·W2ᵀ − Y). hid (B×H), w2t (H×P), y (B×P), r (B×P). */
    public static void residualTiled(FloatArray hid, FloatArray w2t, FloatArray y, FloatArray r, FloatArray params,
                                     IntArray state, int rows, int out, int hidden) {
        for (@Parallel int ti = 0; ti < (rows + TILE - 1) / TILE; ti++) {
            for (@Parallel int tj = 0; tj < (out + TILE - 1) / TILE; tj++) {
                if (state.get(DONE) == 0) {
                    int mt = (rows + TILE - 1) / TILE;
                    int nt = (out + TILE - 1) / TILE;
                    int i0 = ti, i1 = ti + mt, i2 = ti + 2 * mt, i3 = ti + 3 * mt;
                    int j0 = tj, j1 = tj + nt, j2 = tj + 2 * nt, j3 = tj + 3 * nt;
                    int ar0 = Math.min(i0, rows - 1) * hidden, ar1 = Math.min(i1, rows - 1) * hidden;
                    int ar2 = Math.min(i2, rows - 1) * hidden, ar3 = Math.min(i3, rows - 1) * hidden;
                    int bc0 = Math.min(j0, out - 1), bc1 = Math.min(j1, out - 1);
                    int bc2 = Math.min(j2, out - 1), bc3 = Math.min(j3, out - 1);
                    float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
                    float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
                    float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
                    float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
                    for (int p = 0; p < hidden; p++) {
                        int pb = p * out;
                        float u0 = hid.get(ar0 + p), u1 = hid.get(ar1 + p);
                        float u2 = hid.get(ar2 + p), u3 = hid.get(ar3 + p);
                        float v0 = w2t.get(pb + bc0), v1 = w2t.get(pb + bc1);
                        float v2 = w2t.get(pb + bc2), v3 = w2t.get(pb + bc3);
                        s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                        s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                        s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                        s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
                    }
                    storeResidual(r, y, params, i0, j0, s00, rows, out);
                    storeResidual(r, y, params, i0, j1, s01, rows, out);
                    storeResidual(r, y, params, i0, j2, s02, rows, out);
                    storeResidual(r, y, params, i0, j3, s03, rows, out);
                    storeResidual(r, y, params, i1, j0, s10, rows, out);
                    storeResidual(r, y, params, i1, j1, s11, rows, out);
                    storeResidual(r, y, params, i1, j2, s12, rows, out);
                    storeResidual(r, y, params, i1, j3, s13, rows, out);
                    storeResidual(r, y, params, i2, j0, s20, rows, out);
                    storeResidual(r, y, params, i2, j1, s21, rows, out);
                    storeResidual(r, y, params, i2, j2, s22, rows, out);
                    storeResidual(r, y, params, i2, j3, s23, rows, out);
                    storeResidual(r, y, params, i3, j0, s30, rows, out);
                    storeResidual(r, y, params, i3, j1, s31, rows, out);
                    storeResidual(r, y, params, i3, j2, s32, rows, out);
                    storeResidual(r, y, params, i3, j3, s33, rows, out);
                }
            }
        }
    }

    private static void storeResidual(FloatArray r, FloatArray y, FloatArray params, int i, int q, float s, int rows,
                                      int out) {
        if (i < rows && q < out) {
            r.set(i * out + q, params.get(SCALE) * (s - y.get(i * out + q)));
        }
    }

    /**
     * {@link #hiddenBackward}, register-tiled: G_pre = (R·W2) ⊙ 1[Hh > 0]. r (B×P), w2 (P×H), hid (B×H), gh (B×H).
     * The sum is formed for every output of the block and masked when stored (the one-output kernel skips it
     * where Hh ≤ 0): the same floats, more multiply-adds.
     */
    public static void hiddenBackwardTiled(FloatArray r, FloatArray w2, FloatArray hid, FloatArray gh, IntArray state,
                                           int rows, int hidden, int out) {
        for (@Parallel int ti = 0; ti < (rows + TILE - 1) / TILE; ti++) {
            for (@Parallel int tj = 0; tj < (hidden + TILE - 1) / TILE; tj++) {
                if (state.get(DONE) == 0) {
                    int mt = (rows + TILE - 1) / TILE;
                    int nt = (hidden + TILE - 1) / TILE;
                    int i0 = ti, i1 = ti + mt, i2 = ti + 2 * mt, i3 = ti + 3 * mt;
                    int j0 = tj, j1 = tj + nt, j2 = tj + 2 * nt, j3 = tj + 3 * nt;
                    int ar0 = Math.min(i0, rows - 1) * out, ar1 = Math.min(i1, rows - 1) * out;
                    int ar2 = Math.min(i2, rows - 1) * out, ar3 = Math.min(i3, rows - 1) * out;
                    int bc0 = Math.min(j0, hidden - 1), bc1 = Math.min(j1, hidden - 1);
                    int bc2 = Math.min(j2, hidden - 1), bc3 = Math.min(j3, hidden - 1);
                    float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
                    float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
                    float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
                    float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
                    for (int p = 0; p < out; p++) {
                        int pb = p * hidden;
                        float u0 = r.get(ar0 + p), u1 = r.get(ar1 + p);
                        float u2 = r.get(ar2 + p), u3 = r.get(ar3 + p);
                        float v0 = w2.get(pb + bc0), v1 = w2.get(pb + bc1);
                        float v2 = w2.get(pb + bc2), v3 = w2.get(pb + bc3);
                        s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                        s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                        s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                        s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
                    }
                    storeMasked(gh, hid, i0, j0, s00, rows, hidden);
                    storeMasked(gh, hid, i0, j1, s01, rows, hidden);
                    storeMasked(gh, hid, i0, j2, s02, rows, hidden);
                    storeMasked(gh, hid, i0, j3, s03, rows, hidden);
                    storeMasked(gh, hid, i1, j0, s10, rows, hidden);
                    storeMasked(gh, hid, i1, j1, s11, rows, hidden);
                    storeMasked(gh, hid, i1, j2, s12, rows, hidden);
                    storeMasked(gh, hid, i1, j3, s13, rows, hidden);
                    storeMasked(gh, hid, i2, j0, s20, rows, hidden);
                    storeMasked(gh, hid, i2, j1, s21, rows, hidden);
                    storeMasked(gh, hid, i2, j2, s22, rows, hidden);
                    storeMasked(gh, hid, i2, j3, s23, rows, hidden);
                    storeMasked(gh, hid, i3, j0, s30, rows, hidden);
                    storeMasked(gh, hid, i3, j1, s31, rows, hidden);
                    storeMasked(gh, hid, i3, j2, s32, rows, hidden);
                    storeMasked(gh, hid, i3, j3, s33, rows, hidden);
                }
            }
        }
    }

    private static void storeMasked(FloatArray gh, FloatArray hid, int i, int h, float s, int rows, int hidden) {
        if (i < rows && h < hidden) {
            gh.set(i * hidden + h, hid.get(i * hidden + h) > 0f ? s : 0f);
        }
    }

    /** {@link #codeGradient}, register-tiled: grad = G_pre·W1. gh (B×H), w1 (H×l), grad (B×l). */
    public static void codeGradientTiled(FloatArray gh, FloatArray w1, FloatArray grad, IntArray state, int rows, int l,
                                         int hidden) {
        for (@Parallel int ti = 0; ti < (rows + TILE - 1) / TILE; ti++) {
            for (@Parallel int tj = 0; tj < (l + TILE - 1) / TILE; tj++) {
                if (state.get(DONE) == 0) {
                    int mt = (rows + TILE - 1) / TILE;
                    int nt = (l + TILE - 1) / TILE;
                    int i0 = ti, i1 = ti + mt, i2 = ti + 2 * mt, i3 = ti + 3 * mt;
                    int j0 = tj, j1 = tj + nt, j2 = tj + 2 * nt, j3 = tj + 3 * nt;
                    int ar0 = Math.min(i0, rows - 1) * hidden, ar1 = Math.min(i1, rows - 1) * hidden;
                    int ar2 = Math.min(i2, rows - 1) * hidden, ar3 = Math.min(i3, rows - 1) * hidden;
                    int bc0 = Math.min(j0, l - 1), bc1 = Math.min(j1, l - 1);
                    int bc2 = Math.min(j2, l - 1), bc3 = Math.min(j3, l - 1);
                    float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
                    float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
                    float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
                    float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
                    for (int p = 0; p < hidden; p++) {
                        int pb = p * l;
                        float u0 = gh.get(ar0 + p), u1 = gh.get(ar1 + p);
                        float u2 = gh.get(ar2 + p), u3 = gh.get(ar3 + p);
                        float v0 = w1.get(pb + bc0), v1 = w1.get(pb + bc1);
                        float v2 = w1.get(pb + bc2), v3 = w1.get(pb + bc3);
                        s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                        s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                        s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                        s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
                    }
                    storeGradient(grad, i0, j0, s00, rows, l);
                    storeGradient(grad, i0, j1, s01, rows, l);
                    storeGradient(grad, i0, j2, s02, rows, l);
                    storeGradient(grad, i0, j3, s03, rows, l);
                    storeGradient(grad, i1, j0, s10, rows, l);
                    storeGradient(grad, i1, j1, s11, rows, l);
                    storeGradient(grad, i1, j2, s12, rows, l);
                    storeGradient(grad, i1, j3, s13, rows, l);
                    storeGradient(grad, i2, j0, s20, rows, l);
                    storeGradient(grad, i2, j1, s21, rows, l);
                    storeGradient(grad, i2, j2, s22, rows, l);
                    storeGradient(grad, i2, j3, s23, rows, l);
                    storeGradient(grad, i3, j0, s30, rows, l);
                    storeGradient(grad, i3, j1, s31, rows, l);
                    storeGradient(grad, i3, j2, s32, rows, l);
                    storeGradient(grad, i3, j3, s33, rows, l);
                }
            }
        }
    }

    private static void storeGradient(FloatArray grad, int i, int j, float s, int rows, int l) {
        if (i < rows && j < l) {
            grad.set(i * l + j, s);
        }
    }

    // ---------------------------------------------------------------- column statistics

    /**
     * Per column j (one work-item each), when β > 0: mean_j = (float) Σ_i a_ij · (1/B), std_j = sqrt(Σ_i (a_ij −
     * mean_j)² / (B − 1)) (the unbiased std) and hinge_j = −2β·(T − σ_j)/((B − 1)σ_j) where 0 < σ_j < T, else 0
     * (zero subgradient at σ_j = 0, as PyTorch's norm backward). Both sums in double over i in increasing order,
     * exactly as TensorOps.colMeans / colStd on the scalar backend. With β = 0 nothing is needed and nothing is
     * computed. a (B×l); mean, std, hinge (l).
     *
     * <p>One task instead of five (partial sums per chunk, their combination, the same for the squares, the
     * hinge): each task costs a launch, and at these sizes (l = 128 columns, B ≤ a few thousand rows, neighbouring
     * work-items reading neighbouring addresses) the launches cost more than the serial loops.
     */
    public static void columnStats(FloatArray a, FloatArray mean, FloatArray std, FloatArray hinge, FloatArray params,
                                   IntArray state, int rows, int l) {
        for (@Parallel int j = 0; j < l; j++) {
            float beta = params.get(BETA);
            if (state.get(DONE) == 0 && beta > 0f) {
                double s = 0;
                for (int i = 0; i < rows; i++) {
                    s += a.get(i * l + j);
                }
                float m = ((float) s) * (1.0f / rows);
                double q = 0;
                for (int i = 0; i < rows; i++) {
                    double d = a.get(i * l + j) - m;
                    q += d * d;
                }
                float sd = (float) TornadoMath.sqrt(q / (rows - 1));
                mean.set(j, m);
                std.set(j, sd);
                hinge.set(j, hingeCoefficient(sd, params.get(THRESHOLD), beta, rows));
            }
        }
    }

    // ---------------------------------------------------------------- the step

    /**
     * One FISTA step for row i (one work-item per row): for every j, the masked prox step and the momentum update
     * with the hinge and code terms added to the reconstruction gradient first,
     * g = grad + hinge_j(aux − m_j) + (2γ/l)(aux − e);  z' = max(0, aux − (1−s_i)ηg − (1−s_i)λη);
     * aux = z' + coef_k(z' − z);  z = z'  (coef_k = (t_k − 1)/t_{k+1} from the host's table),
     * then the row's stop test on the same loop's sums: s_i = [‖z_i − z'_i‖ / ‖z_i‖ < tol] (0/0 and x/0 are "not
     * converged"), n_i += 1 − s_i. The sums run over j in increasing order with the rounding of
     * TensorOps.rowSquaredDistances / rowNorms and the comparison in Fista. The mask used by the prox step is the
     * one from the previous iteration, read before the row's new one is written.
     * aux, grad, e, z (B×l); hinge, mean (l); stopped, steps (B).
     *
     * <p>One task instead of two (an element-wise prox kernel, then a per-row change kernel reading a stored copy of
     * the old z): no old-z array, one launch fewer per iteration.
     */
    public static void proxStep(FloatArray aux, FloatArray grad, FloatArray e, FloatArray z, FloatArray hinge,
                                FloatArray mean, FloatArray stopped, IntArray steps, FloatArray momentum,
                                FloatArray params, IntArray state, int rows, int l) {
        for (@Parallel int i = 0; i < rows; i++) {
            if (state.get(DONE) == 0) {
                float live = 1f - stopped.get(i);
                float eta = params.get(ETA);
                float step = live * eta;
                float thr = live * params.get(LAMBDA) * eta;
                float beta = params.get(BETA);
                float codeCoef = params.get(CODE_COEF);
                float coef = momentum.get(state.get(ITERATIONS));
                double dist = 0;
                double norm = 0;
                for (int j = 0; j < l; j++) {
                    int idx = i * l + j;
                    float zn = proxValue(aux, grad, e, hinge, mean, idx, j, beta, codeCoef, step, thr);
                    float zo = z.get(idx);
                    z.set(idx, zn);
                    aux.set(idx, zn + coef * (zn - zo));
                    double d = zo - zn;
                    dist += d * d;
                    double o = zo;
                    norm += o * o;
                }
                stopTest(stopped, steps, params, i, dist, norm);
            }
        }
    }

    // ---------------------------------------------------------------- helpers shared with GroupKernels (inlined)

    /** hinge_j = −2β·(T − σ_j)/((B − 1)σ_j) where 0 < σ_j < T, else 0. */
    static float hingeCoefficient(float sd, float t, float beta, int rows) {
        float c = 0f;
        if (sd > 0f && sd < t) {
            c = -2f * beta * (t - sd) / ((rows - 1) * sd);
        }
        return c;
    }

    /**
     * z' of element idx (column j): max(0, aux − step·g − thr) with g = grad + hinge_j(aux − m_j) (β > 0) +
     * codeCoef·(aux − e) (codeCoef > 0); step = (1 − s_i)η, thr = (1 − s_i)λη.
     */
    static float proxValue(FloatArray aux, FloatArray grad, FloatArray e, FloatArray hinge, FloatArray mean, int idx,
                           int j, float beta, float codeCoef, float step, float thr) {
        float v = aux.get(idx);
        float add = beta > 0f ? hinge.get(j) * (v - mean.get(j)) : 0f;
        if (codeCoef > 0f) {
            add += codeCoef * (v - e.get(idx));
        }
        float g = grad.get(idx) + add;
        return Math.max(0f, v - step * g - thr);
    }

    /**
     * Row i's stop test from its double sums Σ(z − z')² and Σz²: s_i = [sqrt(float dist) / float ‖z_i‖ < tol] (0/0
     * and x/0 are "not converged"), n_i += 1 − s_i; the rounding of TensorOps.rowSquaredDistances / rowNorms and
     * the comparison in Fista.
     */
    static void stopTest(FloatArray stopped, IntArray steps, FloatArray params, int i, double dist, double norm) {
        float distSq = (float) dist;
        float oldNorm = (float) TornadoMath.sqrt(norm);
        double tol = params.get(TOL);
        double rel = TornadoMath.sqrt((double) distSq) / oldNorm;
        if (rel < tol) {
            stopped.set(i, 1f);
        } else {
            stopped.set(i, 0f);
            steps.set(i, steps.get(i) + 1);
        }
    }

    /**
     * One work-item: counts the iteration, and sets DONE when every row has converged or K iterations ran.
     * (A single-thread task: B ≤ a few thousand flags, read once per iteration.)
     */
    public static void finishIteration(FloatArray stopped, IntArray state, FloatArray params, int rows) {
        if (state.get(DONE) == 0) {
            int all = 1;
            for (int i = 0; i < rows; i++) {
                if (stopped.get(i) == 0f) {
                    all = 0;
                }
            }
            int k = state.get(ITERATIONS) + 1;
            state.set(ITERATIONS, k);
            if (all == 1 || k >= (int) params.get(MAX_STEPS)) {
                state.set(DONE, 1);
            }
        }
    }
}
