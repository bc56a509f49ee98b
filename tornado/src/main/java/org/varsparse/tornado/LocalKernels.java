package org.varsparse.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Local-memory tiled GEMMs ({@link KernelVariant#LOCAL}) as {@link KernelContext} kernels: C = A·B with a fused
 * epilogue, for {@link GemmKernels#matmulLocal} and the four NL FISTA step kernels ({@link #hiddenForwardLocal},
 * {@link #residualLocal}, {@link #hiddenBackwardLocal}, {@link #codeGradientLocal}).
 *
 * <p>One work-group of {@link #WG} × {@link #WG} work-items computes a {@link #BLOCK} × {@link #BLOCK} block of C;
 * work-item (tx, ty) keeps the 4 × 4 outputs C[row0 + ty + 16r][col0 + tx + 16c] (r, c = 0..3) in 16 float
 * registers. The k dimension runs in tiles of {@link #TK}: the work-group loads the A tile (64 rows × 16 k) and the B
 * tile (16 k × 64 columns) into local memory, 4 values of each per work-item, with the load order chosen by the
 * operand's contiguous dimension (so neighbouring work-items read neighbouring addresses in every layout), waits at
 * a barrier, and then every work-item does 16 × 16 multiply-adds from local memory (8 local loads per 16 of them).
 * Local memory: 2 × 16 × 65 floats = 8.3 KB per work-group (rows padded to 65 so that the transposing tile stores
 * hit distinct banks). Dimension 0 of the launch is C's columns (tx, the fastest work-item index, walks along C's
 * rows in memory), dimension 1 its rows: global size ({@link #globalSize}(n), {@link #globalSize}(m)), local size
 * (16, 16).
 *
 * <p>Numerics: every output is one float sum s += a_ip·b_pj over p = 0..k−1 in increasing order, as the plain and
 * tiled kernels. Edge tiles load 0 for rows ≥ m, columns ≥ n and p ≥ k; the last k tile then adds 0·0 = +0 after
 * the real terms, which leaves the sum unchanged (a sum started at +0 is never −0), and nothing outside m × n is
 * stored. So C equals the plain kernels' bit for bit under Java semantics, and on a device up to FMA contraction.
 *
 * <p>Barriers: every work-item of a work-group (those outside m × n included) runs the same number of k tiles and
 * so passes the same barriers; once {@code state[DONE]} is set (uniform per launch) the number of k tiles is 0 and
 * nothing is stored. No work-item returns early.
 *
 * <p>Each kernel spells out the tile loop (loads, barriers, the 16 × 16 multiply-adds) in its own body: TornadoVM
 * inlines a helper only up to 600 Graal nodes ({@code TornadoInliningException} otherwise), which one shared body
 * with its stores exceeds, and it lowers local arrays correctly only in the kernel method itself (see
 * {@link #slot}). The helpers compute indices and values and store the results.
 *
 * <p>These kernels only make sense on a device: as plain Java the {@link KernelContext} indices are all 0 and the
 * local arrays are ordinary arrays, so a sequential run computes one block of one work-item.
 */
public final class LocalKernels {
    /** Work-items per work-group along each dimension. */
    public static final int WG = 16;
    /** Outputs per work-item along each dimension (4 × 4 = 16 accumulators). */
    public static final int R = 4;
    /** Rows and columns of C per work-group: {@link #WG} · {@link #R}. */
    public static final int BLOCK = WG * R;
    /** k per local tile. */
    public static final int TK = 16;
    /** Row length of a local tile: {@link #BLOCK} padded by one float (distinct banks for the transposing stores). */
    public static final int LD = BLOCK + 1;

    // epilogues (what is stored from the sum s)
    static final int GEMM = 0; // alpha·s + beta·C (beta = 0: alpha·s)
    static final int BIAS_RELU = 1; // max(0, s + b1[j])
    static final int RESIDUAL = 2; // (2/P)(s − y_ij)
    static final int RELU_MASK = 3; // hid_ij > 0 ? s : 0
    static final int PLAIN = 4; // s

    private LocalKernels() {
    }

    /** Global work-items along a dimension of n outputs: ⌈n / {@link #BLOCK}⌉ · {@link #WG}. */
    public static int globalSize(int n) {
        return (n + BLOCK - 1) / BLOCK * WG;
    }

    /** Hh = relu(aux·W1ᵀ + b1), local-memory tiled. aux (B×l), w1t = W1ᵀ (l×H), b1 (H), hid (B×H). */
    public static void hiddenForwardLocal(KernelContext ctx, FloatArray aux, FloatArray w1t, FloatArray b1,
                                          FloatArray hid, IntArray state, int rows, int hidden, int l) {
        float[] as = ctx.allocateFloatLocalArray(TK * LD); // left tile: as[p·LD + i], i < 64, p < 16
        float[] bs = ctx.allocateFloatLocalArray(TK * LD); // right tile: bs[p·LD + j]
        int tx = ctx.localIdx, ty = ctx.localIdy, t = ty * WG + tx; // column, row in the block; load share
        int row0 = ctx.groupIdy * BLOCK, col0 = ctx.groupIdx * BLOCK;
        boolean running = state.get(FistaKernels.DONE) == 0; // uniform: no k tile, no store once done
        int kTiles = running ? (l + TK - 1) / TK : 0;
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f, s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        for (int kt = 0; kt < kTiles; kt++) {
            for (int q = 0; q < R; q++) { // 4 × 256 = 64 × 16 values of each tile
                int e = t + q * WG * WG;
                as[slot(e, 1)] = element(aux, e, row0, rows, l, kt * TK, l, 1);
                bs[slot(e, hidden)] = element(w1t, e, col0, hidden, 1, kt * TK, l, hidden);
            }
            ctx.localBarrier();
            for (int p = 0; p < TK; p++) {
                int o = p * LD;
                float u0 = as[o + ty], u1 = as[o + ty + WG], u2 = as[o + ty + 2 * WG], u3 = as[o + ty + 3 * WG];
                float v0 = bs[o + tx], v1 = bs[o + tx + WG], v2 = bs[o + tx + 2 * WG], v3 = bs[o + tx + 3 * WG];
                s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
            }
            ctx.localBarrier(); // before the next k tile overwrites as and bs
        }
        if (running) {
            int i0 = row0 + ty, j0 = col0 + tx;
            storeRow(hid, b1, b1, i0, j0, rows, hidden, BIAS_RELU, s00, s01, s02, s03);
            storeRow(hid, b1, b1, i0 + WG, j0, rows, hidden, BIAS_RELU, s10, s11, s12, s13);
            storeRow(hid, b1, b1, i0 + 2 * WG, j0, rows, hidden, BIAS_RELU, s20, s21, s22, s23);
            storeRow(hid, b1, b1, i0 + 3 * WG, j0, rows, hidden, BIAS_RELU, s30, s31, s32, s33);
        }
    }

    /** R = (2/P)(Hh·W2ᵀ − Y), local-memory tiled. hid (B×H), w2t = W2ᵀ (H×P), y (B×P), r (B×P). */
    public static void residualLocal(KernelContext ctx, FloatArray hid, FloatArray w2t, FloatArray y, FloatArray r,
                                     FloatArray params, IntArray state, int rows, int out, int hidden) {
        float[] as = ctx.allocateFloatLocalArray(TK * LD); // left tile: as[p·LD + i], i < 64, p < 16
        float[] bs = ctx.allocateFloatLocalArray(TK * LD); // right tile: bs[p·LD + j]
        int tx = ctx.localIdx, ty = ctx.localIdy, t = ty * WG + tx; // column, row in the block; load share
        int row0 = ctx.groupIdy * BLOCK, col0 = ctx.groupIdx * BLOCK;
        boolean running = state.get(FistaKernels.DONE) == 0; // uniform: no k tile, no store once done
        int kTiles = running ? (hidden + TK - 1) / TK : 0;
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f, s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        for (int kt = 0; kt < kTiles; kt++) {
            for (int q = 0; q < R; q++) { // 4 × 256 = 64 × 16 values of each tile
                int e = t + q * WG * WG;
                as[slot(e, 1)] = element(hid, e, row0, rows, hidden, kt * TK, hidden, 1);
                bs[slot(e, out)] = element(w2t, e, col0, out, 1, kt * TK, hidden, out);
            }
            ctx.localBarrier();
            for (int p = 0; p < TK; p++) {
                int o = p * LD;
                float u0 = as[o + ty], u1 = as[o + ty + WG], u2 = as[o + ty + 2 * WG], u3 = as[o + ty + 3 * WG];
                float v0 = bs[o + tx], v1 = bs[o + tx + WG], v2 = bs[o + tx + 2 * WG], v3 = bs[o + tx + 3 * WG];
                s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
            }
            ctx.localBarrier(); // before the next k tile overwrites as and bs
        }
        if (running) {
            int i0 = row0 + ty, j0 = col0 + tx;
            storeRow(r, y, params, i0, j0, rows, out, RESIDUAL, s00, s01, s02, s03);
            storeRow(r, y, params, i0 + WG, j0, rows, out, RESIDUAL, s10, s11, s12, s13);
            storeRow(r, y, params, i0 + 2 * WG, j0, rows, out, RESIDUAL, s20, s21, s22, s23);
            storeRow(r, y, params, i0 + 3 * WG, j0, rows, out, RESIDUAL, s30, s31, s32, s33);
        }
    }

    /**
     * G_pre = (R·W2) ⊙ 1[Hh > 0], local-memory tiled. r (B×P), w2 (P×H), hid (B×H), gh (B×H). The sum is formed
     * for every output and masked when stored (the plain kernel skips it where Hh ≤ 0): the same floats.
     */
    public static void hiddenBackwardLocal(KernelContext ctx, FloatArray r, FloatArray w2, FloatArray hid,
                                           FloatArray gh, IntArray state, int rows, int hidden, int out) {
        float[] as = ctx.allocateFloatLocalArray(TK * LD); // left tile: as[p·LD + i], i < 64, p < 16
        float[] bs = ctx.allocateFloatLocalArray(TK * LD); // right tile: bs[p·LD + j]
        int tx = ctx.localIdx, ty = ctx.localIdy, t = ty * WG + tx; // column, row in the block; load share
        int row0 = ctx.groupIdy * BLOCK, col0 = ctx.groupIdx * BLOCK;
        boolean running = state.get(FistaKernels.DONE) == 0; // uniform: no k tile, no store once done
        int kTiles = running ? (out + TK - 1) / TK : 0;
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f, s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        for (int kt = 0; kt < kTiles; kt++) {
            for (int q = 0; q < R; q++) { // 4 × 256 = 64 × 16 values of each tile
                int e = t + q * WG * WG;
                as[slot(e, 1)] = element(r, e, row0, rows, out, kt * TK, out, 1);
                bs[slot(e, hidden)] = element(w2, e, col0, hidden, 1, kt * TK, out, hidden);
            }
            ctx.localBarrier();
            for (int p = 0; p < TK; p++) {
                int o = p * LD;
                float u0 = as[o + ty], u1 = as[o + ty + WG], u2 = as[o + ty + 2 * WG], u3 = as[o + ty + 3 * WG];
                float v0 = bs[o + tx], v1 = bs[o + tx + WG], v2 = bs[o + tx + 2 * WG], v3 = bs[o + tx + 3 * WG];
                s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
            }
            ctx.localBarrier(); // before the next k tile overwrites as and bs
        }
        if (running) {
            int i0 = row0 + ty, j0 = col0 + tx;
            storeRow(gh, hid, hid, i0, j0, rows, hidden, RELU_MASK, s00, s01, s02, s03);
            storeRow(gh, hid, hid, i0 + WG, j0, rows, hidden, RELU_MASK, s10, s11, s12, s13);
            storeRow(gh, hid, hid, i0 + 2 * WG, j0, rows, hidden, RELU_MASK, s20, s21, s22, s23);
            storeRow(gh, hid, hid, i0 + 3 * WG, j0, rows, hidden, RELU_MASK, s30, s31, s32, s33);
        }
    }

    /** grad = G_pre·W1, local-memory tiled. gh (B×H), w1 (H×l), grad (B×l). */
    public static void codeGradientLocal(KernelContext ctx, FloatArray gh, FloatArray w1, FloatArray grad,
                                         IntArray state, int rows, int l, int hidden) {
        float[] as = ctx.allocateFloatLocalArray(TK * LD); // left tile: as[p·LD + i], i < 64, p < 16
        float[] bs = ctx.allocateFloatLocalArray(TK * LD); // right tile: bs[p·LD + j]
        int tx = ctx.localIdx, ty = ctx.localIdy, t = ty * WG + tx; // column, row in the block; load share
        int row0 = ctx.groupIdy * BLOCK, col0 = ctx.groupIdx * BLOCK;
        boolean running = state.get(FistaKernels.DONE) == 0; // uniform: no k tile, no store once done
        int kTiles = running ? (hidden + TK - 1) / TK : 0;
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f, s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        for (int kt = 0; kt < kTiles; kt++) {
            for (int q = 0; q < R; q++) { // 4 × 256 = 64 × 16 values of each tile
                int e = t + q * WG * WG;
                as[slot(e, 1)] = element(gh, e, row0, rows, hidden, kt * TK, hidden, 1);
                bs[slot(e, l)] = element(w1, e, col0, l, 1, kt * TK, hidden, l);
            }
            ctx.localBarrier();
            for (int p = 0; p < TK; p++) {
                int o = p * LD;
                float u0 = as[o + ty], u1 = as[o + ty + WG], u2 = as[o + ty + 2 * WG], u3 = as[o + ty + 3 * WG];
                float v0 = bs[o + tx], v1 = bs[o + tx + WG], v2 = bs[o + tx + 2 * WG], v3 = bs[o + tx + 3 * WG];
                s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
            }
            ctx.localBarrier(); // before the next k tile overwrites as and bs
        }
        if (running) {
            int i0 = row0 + ty, j0 = col0 + tx;
            storeRow(grad, grad, grad, i0, j0, rows, l, PLAIN, s00, s01, s02, s03);
            storeRow(grad, grad, grad, i0 + WG, j0, rows, l, PLAIN, s10, s11, s12, s13);
            storeRow(grad, grad, grad, i0 + 2 * WG, j0, rows, l, PLAIN, s20, s21, s22, s23);
            storeRow(grad, grad, grad, i0 + 3 * WG, j0, rows, l, PLAIN, s30, s31, s32, s33);
        }
    }

    // Tile loads: value e = 0..1023 of a 64 × 16 tile (4 per work-item: e = t + 256q) is element (r, p) of the
    // operand, r < 64 along C's rows (A) or columns (B), p < 16 along k. The order follows the operand's contiguous
    // dimension, so neighbouring work-items read neighbouring addresses: along p when pStride = 1 (16 work-items read
    // 16 neighbours of a row), else along r. The local array is written in the kernel itself, not here: TornadoVM
    // 5.2.1 lowers a local array passed to a helper method as a Java array (byte offset and 16-byte header as the
    // index: wrong addresses on PoCL), so the helpers only compute the slot and the value.

    /** Where value e of a tile goes in the local tile: p·{@link #LD} + r. */
    static int slot(int e, int pStride) {
        int r = pStride == 1 ? e / TK : e % BLOCK;
        int p = pStride == 1 ? e % TK : e / BLOCK;
        return p * LD + r;
    }

    /**
     * Value e of the tile at (base, p0): src[(base + r)·rStride + (p0 + p)·pStride], 0 where base + r ≥ limit or
     * p0 + p ≥ k.
     */
    static float element(FloatArray src, int e, int base, int limit, int rStride, int p0, int k, int pStride) {
        int r = pStride == 1 ? e / TK : e % BLOCK;
        int p = pStride == 1 ? e % TK : e / BLOCK;
        float v = 0f;
        if (base + r < limit && p0 + p < k) {
            v = src.get((base + r) * rStride + (p0 + p) * pStride);
        }
        return v;
    }

    /** C[i][j0 + 16c] = epilogue(s_c), c = 0..3 (one row of a work-item's 4 × 4 outputs); nothing outside m × n. */
    static void storeRow(FloatArray c, FloatArray x, FloatArray coef, int i, int j0, int m, int n, int epilogue,
                         float s0, float s1, float s2, float s3) {
        store(c, x, coef, i, j0, s0, m, n, epilogue);
        store(c, x, coef, i, j0 + WG, s1, m, n, epilogue);
        store(c, x, coef, i, j0 + 2 * WG, s2, m, n, epilogue);
        store(c, x, coef, i, j0 + 3 * WG, s3, m, n, epilogue);
    }

    /**
     * C[i][j] = epilogue(s), as the plain kernels store it: x and coef are the epilogue's operands (b1, y or hid;
     * (alpha, beta) or params); nothing outside m × n.
     */
    private static void store(FloatArray c, FloatArray x, FloatArray coef, int i, int j, float s, int m, int n,
                              int epilogue) {
        if (i < m && j < n) {
            int at = i * n + j;
            if (epilogue == GEMM) {
                float beta = coef.get(1);
                float old = beta == 0f ? 0f : beta * c.get(at);
                c.set(at, coef.get(0) * s + old);
            } else if (epilogue == BIAS_RELU) {
                c.set(at, Math.max(0f, s + x.get(j)));
            } else if (epilogue == RESIDUAL) {
                c.set(at, coef.get(FistaKernels.SCALE) * (s - x.get(at)));
            } else if (epilogue == RELU_MASK) {
                c.set(at, x.get(at) > 0f ? s : 0f);
            } else {
                c.set(at, s);
            }
        }
    }
}
