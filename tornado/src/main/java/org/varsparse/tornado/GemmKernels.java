package org.varsparse.tornado;

import static org.varsparse.tornado.LocalKernels.BLOCK;
import static org.varsparse.tornado.LocalKernels.LD;
import static org.varsparse.tornado.LocalKernels.TK;
import static org.varsparse.tornado.LocalKernels.WG;
import static org.varsparse.tornado.LocalKernels.R;
import static org.varsparse.tornado.LocalKernels.element;
import static org.varsparse.tornado.LocalKernels.slot;
import static org.varsparse.tornado.LocalKernels.storeRow;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Row-major float32 GEMMs as TornadoVM kernels: plain {@code @Parallel} loops over the output (one work-item
 * per C element, float accumulation as PyTorch float32 and the CPU backends), correct on every OpenCL/PTX
 * device including PoCL. {@code ab} holds (alpha, beta); beta = 0 ignores C's old values, as
 * {@link org.varsparse.tensor.TensorOps#gemm}. Each method is also plain Java, so the CPU can run the same code.
 *
 * <p>{@link #matmulTiled} is the register-tiled form of all three ({@link KernelVariant#TILED}): one work-item per
 * {@link #TILE} × {@link #TILE} block of C, each loaded A and B value used {@link #TILE} times from registers.
 *
 * <p>{@link #matmulLocal} is the local-memory tiled form of all three ({@link KernelVariant#LOCAL}): a
 * {@link KernelContext} kernel (see {@link LocalKernels}), launched with a {@code GridScheduler}.
 */
public final class GemmKernels {
    /**
     * Rows and columns of C per work-item in the tiled kernels (16 float accumulators: few enough registers for
     * a GPU, 8 loads per 16 multiply-adds instead of 2 per 1). The kernels spell out the 4 × 4 block.
     */
    public static final int TILE = 4;

    private GemmKernels() {
    }

    /** Tiles along a dimension of n: ⌈n / {@link #TILE}⌉. */
    public static int tiles(int n) {
        return (n + TILE - 1) / TILE;
    }

    /** C = alpha·A·B + beta·C. A (m×k), B (k×n), C (m×n). */
    public static void matmulNN(FloatArray a, FloatArray b, FloatArray c, FloatArray ab, int m, int n, int k) {
        for (@Parallel int i = 0; i < m; i++) {
            for (@Parallel int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.get(i * k + p) * b.get(p * n + j);
                }
                float beta = ab.get(1);
                float old = beta == 0f ? 0f : beta * c.get(i * n + j);
                c.set(i * n + j, ab.get(0) * s + old);
            }
        }
    }

    /** C = alpha·A·Bᵀ + beta·C. A (m×k), B (n×k), C (m×n). */
    public static void matmulNT(FloatArray a, FloatArray b, FloatArray c, FloatArray ab, int m, int n, int k) {
        for (@Parallel int i = 0; i < m; i++) {
            for (@Parallel int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.get(i * k + p) * b.get(j * k + p);
                }
                float beta = ab.get(1);
                float old = beta == 0f ? 0f : beta * c.get(i * n + j);
                c.set(i * n + j, ab.get(0) * s + old);
            }
        }
    }

    /** C = alpha·Aᵀ·B + beta·C. A (k×m), B (k×n), C (m×n). */
    public static void matmulTN(FloatArray a, FloatArray b, FloatArray c, FloatArray ab, int m, int n, int k) {
        for (@Parallel int i = 0; i < m; i++) {
            for (@Parallel int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.get(p * m + i) * b.get(p * n + j);
                }
                float beta = ab.get(1);
                float old = beta == 0f ? 0f : beta * c.get(i * n + j);
                c.set(i * n + j, ab.get(0) * s + old);
            }
        }
    }

    /**
     * C = alpha·A·B + beta·C, register-tiled, for all three layouts through strides: A's element (i, p) is
     * {@code a[i·aRow + p·aCol]} and B's element (p, j) is {@code b[p·bRow + j·bCol]} (A·B: k, 1, n, 1; A·Bᵀ with
     * B (n×k): k, 1, 1, k; Aᵀ·B with A (k×m): 1, m, n, 1). C (m×n).
     *
     * <p>Work-item (ti, tj) computes the 4 × 4 outputs C[ti + r·mt][tj + c·nt] (r, c = 0..3; mt = ⌈m/4⌉,
     * nt = ⌈n/4⌉): strided, not adjacent, so at every load neighbouring work-items touch neighbouring addresses
     * exactly as in the one-output kernels (coalescing unchanged), while each work-item loads 4 A and 4 B values
     * per p for 16 multiply-adds. Edge tiles: rows ≥ m and columns ≥ n read the last row / column (no branch in the
     * p loop) and are not stored. Each output is still one float sum over p = 0..k−1 in increasing order, so C
     * equals {@link #matmulNN} / {@link #matmulNT} / {@link #matmulTN}.
     */
    public static void matmulTiled(FloatArray a, FloatArray b, FloatArray c, FloatArray ab, int m, int n, int k,
                                   int aRow, int aCol, int bRow, int bCol) {
        for (@Parallel int ti = 0; ti < (m + TILE - 1) / TILE; ti++) {
            for (@Parallel int tj = 0; tj < (n + TILE - 1) / TILE; tj++) {
                int mt = (m + TILE - 1) / TILE;
                int nt = (n + TILE - 1) / TILE;
                int i0 = ti, i1 = ti + mt, i2 = ti + 2 * mt, i3 = ti + 3 * mt; // rows of C
                int j0 = tj, j1 = tj + nt, j2 = tj + 2 * nt, j3 = tj + 3 * nt; // columns of C
                int a0 = Math.min(i0, m - 1) * aRow, a1 = Math.min(i1, m - 1) * aRow;
                int a2 = Math.min(i2, m - 1) * aRow, a3 = Math.min(i3, m - 1) * aRow;
                int b0 = Math.min(j0, n - 1) * bCol, b1 = Math.min(j1, n - 1) * bCol;
                int b2 = Math.min(j2, n - 1) * bCol, b3 = Math.min(j3, n - 1) * bCol;
                float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
                float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
                float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
                float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
                for (int p = 0; p < k; p++) {
                    int pa = p * aCol;
                    int pb = p * bRow;
                    float u0 = a.get(a0 + pa), u1 = a.get(a1 + pa), u2 = a.get(a2 + pa), u3 = a.get(a3 + pa);
                    float v0 = b.get(pb + b0), v1 = b.get(pb + b1), v2 = b.get(pb + b2), v3 = b.get(pb + b3);
                    s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
                    s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
                    s20 += u2 * v0; s21 += u2 * v1; s22 += u2 * v2; s23 += u2 * v3;
                    s30 += u3 * v0; s31 += u3 * v1; s32 += u3 * v2; s33 += u3 * v3;
                }
                store(c, ab, i0, j0, s00, m, n); store(c, ab, i0, j1, s01, m, n);
                store(c, ab, i0, j2, s02, m, n); store(c, ab, i0, j3, s03, m, n);
                store(c, ab, i1, j0, s10, m, n); store(c, ab, i1, j1, s11, m, n);
                store(c, ab, i1, j2, s12, m, n); store(c, ab, i1, j3, s13, m, n);
                store(c, ab, i2, j0, s20, m, n); store(c, ab, i2, j1, s21, m, n);
                store(c, ab, i2, j2, s22, m, n); store(c, ab, i2, j3, s23, m, n);
                store(c, ab, i3, j0, s30, m, n); store(c, ab, i3, j1, s31, m, n);
                store(c, ab, i3, j2, s32, m, n); store(c, ab, i3, j3, s33, m, n);
            }
        }
    }

    /**
     * C = alpha·A·B + beta·C, local-memory tiled ({@link LocalKernels}): the layouts through strides as in
     * {@link #matmulTiled} (A (i, p) = {@code a[i·aRow + p·aCol]}, B (p, j) = {@code b[p·bRow + j·bCol]}),
     * C (m×n).
     * A {@link KernelContext} kernel: launch it with global size ({@link LocalKernels#globalSize}(n),
     * {@link LocalKernels#globalSize}(m)) and local size ({@link LocalKernels#WG}, {@link LocalKernels#WG}).
     * Every output is one float sum over p = 0..k−1 in increasing order, so C equals {@link #matmulNN} …
     */
    public static void matmulLocal(KernelContext ctx, FloatArray a, FloatArray b, FloatArray c, FloatArray ab, int m,
                                   int n, int k, int aRow, int aCol, int bRow, int bCol) {
        float[] as = ctx.allocateFloatLocalArray(TK * LD); // left tile: as[p·LD + i], i < 64, p < 16
        float[] bs = ctx.allocateFloatLocalArray(TK * LD); // right tile: bs[p·LD + j]
        int tx = ctx.localIdx, ty = ctx.localIdy, t = ty * WG + tx; // column, row in the block; load share
        int row0 = ctx.groupIdy * BLOCK, col0 = ctx.groupIdx * BLOCK;
        int kTiles = (k + TK - 1) / TK;
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f, s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        for (int kt = 0; kt < kTiles; kt++) {
            for (int q = 0; q < R; q++) { // 4 × 256 = 64 × 16 values of each tile
                int e = t + q * WG * WG;
                as[slot(e, aCol)] = element(a, e, row0, m, aRow, kt * TK, k, aCol);
                bs[slot(e, bRow)] = element(b, e, col0, n, bCol, kt * TK, k, bRow);
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
        int i0 = row0 + ty, j0 = col0 + tx;
        storeRow(c, c, ab, i0, j0, m, n, LocalKernels.GEMM, s00, s01, s02, s03);
        storeRow(c, c, ab, i0 + WG, j0, m, n, LocalKernels.GEMM, s10, s11, s12, s13);
        storeRow(c, c, ab, i0 + 2 * WG, j0, m, n, LocalKernels.GEMM, s20, s21, s22, s23);
        storeRow(c, c, ab, i0 + 3 * WG, j0, m, n, LocalKernels.GEMM, s30, s31, s32, s33);
    }

    /** C[i][j] = alpha·s + beta·C[i][j] (beta = 0: alpha·s), as the one-output kernels; nothing outside m × n. */
    private static void store(FloatArray c, FloatArray ab, int i, int j, float s, int m, int n) {
        if (i < m && j < n) {
            float beta = ab.get(1);
            float old = beta == 0f ? 0f : beta * c.get(i * n + j);
            c.set(i * n + j, ab.get(0) * s + old);
        }
    }
}
