package org.varsparse.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multithreaded SGEMM on the Vector API: C = alpha·op(A)·op(B) + beta·C for the three forms TensorOps needs.
 *
 * <p>Blocking. C is cut into tiles of {@link #MR} rows × {@link #NR} columns (two preferred vectors). For each
 * panel of NR columns, B is packed once into a contiguous k×NR buffer (zero-padded past n), then the
 * micro-kernel runs down the rows: MR·2 accumulators in locals, one {@code fma} per accumulator per k step,
 * A broadcast from where it lies (rows of A for A·B and A·Bᵀ, rows of A for Aᵀ·B too, since Aᵀ's column
 * sliver is contiguous in A). A is read in place because packing it costs more than it saves at n = 128
 * (PERF-NOTES); it is packed only when its row stride is a multiple of 4 KiB (L1 set aliasing), and for
 * the last, partial row block (zero-padded, so the one micro-kernel serves every tile). Tiles that stick out
 * of C go through a small scratch tile and a scalar epilogue.
 *
 * <p>Determinism. Every element of C is one {@code fma} chain over p = 0..k-1 in order, then
 * {@code alpha·s} and {@code + beta·c}, whichever tile, kernel path or thread computes it. So results do not
 * depend on the partition or the thread count, and repeat bit for bit.
 *
 * <p>Threads. A fixed partition of C: panels of columns are split between workers (each packs only its own
 * panels, so no barrier is needed); when there are fewer panels than workers, rows are split too.
 * A call uses at most one worker per {@link #PARALLEL_MIN_FMA} multiply-adds (so problems under it run on the
 * calling thread, and small ones on a many-core pool do not wake every worker for a few µs of work each).
 */
final class Gemm implements WorkerPool.Task {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Tile width: two vectors (32 floats with AVX-512, 16 with AVX2). */
    static final int NR = 2 * L;
    /**
     * Tile height. 6×2 vectors = 12 accumulators + 2 B vectors + a broadcast: fits the 16 ymm registers
     * of AVX2 when C2 schedules it well and leaves the 32 zmm registers of AVX-512 slack (PERF-NOTES).
     */
    static final int MR = 6;
    /**
     * Below this many multiply-adds (about 50 µs on one AVX-512 core) waking a parked worker costs more than it
     * saves, so the call runs on the calling thread. Measured on the 2-vCPU VM, quiet: with 1 << 20 the FISTA
     * Gram GEMM (250×128×128, 4.1 M) went to 2 workers and a 200-iteration linear solve took 28.1 ms on
     * 2 threads against 14.0 ms on 1 (JMH FistaBenchmark), so the threshold is 1 << 23.
     */
    static final long PARALLEL_MIN_FMA = 1L << 23;
    /** k steps per block of the transposing pack: 64·NR floats = 8 KiB with AVX-512. */
    private static final int PACK_T_BLOCK = 64;

    enum Form { NN, NT, TN }

    private final WorkerPool pool;
    private final Scratch[] scratch;

    // The current call; written under the pool lock before the workers are released.
    private Form form;
    private float alpha, beta;
    private float[] a, b, c;
    private int m, n, k;
    private int rowParts, colParts, panels, rowBlocks;
    private boolean packA;

    /** Per-worker buffers, grown on demand and then reused. */
    private static final class Scratch {
        float[] bPanel = new float[0]; // (k, NR) one packed panel of op(B)
        float[] aPack = new float[0];  // (blocks, k, MR) packed MR-row slivers of op(A)
        final float[] tile = new float[MR * NR]; // (MR, NR) an edge tile before its epilogue
    }

    Gemm(WorkerPool pool) {
        this.pool = pool;
        this.scratch = new Scratch[pool.size()];
        for (int w = 0; w < scratch.length; w++) {
            scratch[w] = new Scratch();
        }
    }

    /**
     * op(A) is m×k, op(B) is k×n, C is m×n, all row-major. NN: A (m×k), B (k×n); NT: A (m×k), B (n×k);
     * TN: A (k×m), B (k×n). Shapes were checked by the facade.
     */
    void multiply(Form form, float alpha, float[] a, float[] b, float beta, float[] c, int m, int n, int k) {
        if (m == 0 || n == 0) {
            return;
        }
        pool.lock().lock();
        try {
            this.form = form;
            this.alpha = alpha;
            this.beta = beta;
            this.a = a;
            this.b = b;
            this.c = c;
            this.m = m;
            this.n = n;
            this.k = k;
            panels = (n + NR - 1) / NR;
            rowBlocks = (m + MR - 1) / MR;
            // 4 KiB row strides put the MR rows of A in one L1 set: pack them instead (PERF-NOTES, Zen 3;
            // neutral on Zen 5's 12-way L1, within ±5% at k = 1024 and 2048).
            packA = form != Form.TN && k >= 1024 && k % 1024 == 0;
            // at least PARALLEL_MIN_FMA multiply-adds per worker: a 250×128×128 FISTA Gram GEMM (4.1 M) stays on the caller
            int workers = (int) Math.max(1, Math.min(pool.size(), (long) m * n * Math.max(k, 1) / PARALLEL_MIN_FMA));
            colParts = Math.min(workers, panels);
            rowParts = Math.min(workers / colParts, rowBlocks);
            pool.run(this, colParts * rowParts);
        } finally {
            this.a = null;
            this.b = null;
            this.c = null;
            pool.lock().unlock();
        }
    }

    @Override
    public void run(int worker) {
        int cp = worker % colParts, rp = worker / colParts;
        int p0 = (int) ((long) panels * cp / colParts), p1 = (int) ((long) panels * (cp + 1) / colParts);
        int rb0 = (int) ((long) rowBlocks * rp / rowParts), rb1 = (int) ((long) rowBlocks * (rp + 1) / rowParts);
        int i0 = rb0 * MR, i1 = Math.min(m, rb1 * MR);
        if (p0 >= p1 || i0 >= i1) {
            return;
        }
        Scratch s = scratch[worker];
        if (s.bPanel.length < k * NR) {
            s.bPanel = new float[k * NR];
        }
        float[] bp = s.bPanel;
        int lastRows = (i1 - i0) % MR; // rows in a final partial block, 0 if none
        if (packA) {
            ensureAPack(s, (rb1 - rb0) * MR * k);
            for (int i = i0; i < i1; i += MR) {
                packA(i, Math.min(MR, i1 - i), s.aPack, (i - i0) * k);
            }
        } else if (lastRows != 0) {
            ensureAPack(s, MR * k);
            packA(i1 - lastRows, lastRows, s.aPack, 0);
        }
        for (int jp = p0; jp < p1; jp++) {
            int j0 = jp * NR, cols = Math.min(NR, n - j0);
            if (form == Form.NT) {
                packBTransposed(j0, cols, bp);
            } else {
                packB(j0, cols, bp);
            }
            for (int i = i0; i < i1; i += MR) {
                int rows = Math.min(MR, i1 - i);
                float[] aa;
                int aOff, rs, ks;
                if (packA) {
                    aa = s.aPack; aOff = (i - i0) * k; rs = 1; ks = MR;
                } else if (rows < MR) {
                    aa = s.aPack; aOff = 0; rs = 1; ks = MR;
                } else if (form == Form.TN) {
                    aa = a; aOff = i; rs = 1; ks = m;   // Aᵀ row i+r, step p: A[p*m + i + r]
                } else {
                    aa = a; aOff = i * k; rs = k; ks = 1; // A row i+r, step p: A[(i+r)*k + p]
                }
                if (rows == MR && cols == NR) {
                    kernel(k, aa, aOff, rs, ks, bp, c, i * n + j0, n, alpha, beta);
                } else {
                    float[] t = s.tile;
                    kernel(k, aa, aOff, rs, ks, bp, t, 0, NR, 1f, 0f);
                    for (int r = 0; r < rows; r++) {
                        int ci = (i + r) * n + j0, ti = r * NR;
                        for (int jj = 0; jj < cols; jj++) {
                            float v = alpha * t[ti + jj];
                            c[ci + jj] = beta == 0f ? v : v + beta * c[ci + jj];
                        }
                    }
                }
            }
        }
    }

    private static void ensureAPack(Scratch s, int size) {
        if (s.aPack.length < size) {
            s.aPack = new float[size];
        }
    }

    /** Packs rows i..i+rows of op(A) as dst[off + p*MR + r], zero-padding rows up to MR. */
    private void packA(int i, int rows, float[] dst, int off) {
        if (form == Form.TN) {
            for (int p = 0; p < k; p++) {
                int d = off + p * MR, src = p * m + i;
                for (int r = 0; r < MR; r++) {
                    dst[d + r] = r < rows ? a[src + r] : 0f;
                }
            }
        } else {
            for (int r = 0; r < MR; r++) {
                int src = (i + r) * k;
                for (int p = 0; p < k; p++) {
                    dst[off + p * MR + r] = r < rows ? a[src + p] : 0f;
                }
            }
        }
    }

    /** Packs columns j0..j0+cols of B (k×n) as dst[p*NR + jj], zero-padding to NR columns. */
    private void packB(int j0, int cols, float[] dst) {
        if (cols == NR) {
            for (int p = 0, src = j0, d = 0; p < k; p++, src += n, d += NR) {
                FloatVector.fromArray(S, b, src).intoArray(dst, d);
                FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
            }
        } else {
            for (int p = 0, src = j0, d = 0; p < k; p++, src += n, d += NR) {
                for (int jj = 0; jj < NR; jj++) {
                    dst[d + jj] = jj < cols ? b[src + jj] : 0f;
                }
            }
        }
    }

    /**
     * Packs rows j0..j0+cols of B (n×k), i.e. columns of Bᵀ, as dst[p*NR + jj], zero-padding to NR.
     * In blocks of {@link #PACK_T_BLOCK} k steps so the strided writes stay in L1 (a whole 1024×NR panel does not).
     */
    private void packBTransposed(int j0, int cols, float[] dst) {
        for (int p0 = 0; p0 < k; p0 += PACK_T_BLOCK) {
            int p1 = Math.min(k, p0 + PACK_T_BLOCK);
            for (int jj = 0; jj < NR; jj++) {
                if (jj < cols) {
                    for (int p = p0, src = (j0 + jj) * k + p0; p < p1; p++, src++) {
                        dst[p * NR + jj] = b[src];
                    }
                } else {
                    for (int p = p0; p < p1; p++) {
                        dst[p * NR + jj] = 0f;
                    }
                }
            }
        }
    }

    /**
     * The MR×NR micro-kernel: C[r][0..NR) = alpha·Σ_p A(r, p)·bp[p*NR ..] + beta·C (beta = 0: C is not read).
     * A(r, p) = a[aOff + r*rs + p*ks]; bp is a packed panel; C row r starts at cOff + r*ldc.
     * Accumulators stay in locals and each is one fma chain in p order (see the class doc).
     */
    private static void kernel(int k, float[] a, int aOff, int rs, int ks, float[] bp,
                               float[] c, int cOff, int ldc, float alpha, float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a0 = aOff, a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs, a4 = a3 + rs, a5 = a4 + rs;
        for (int p = 0, bi = 0, ap = 0; p < k; p++, bi += NR, ap += ks) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + ap]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + ap]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // Epilogue, written out per row so no vector crosses a call: v = alpha·s (+ beta·c).
        int o = cOff;
        c00 = c00.mul(alpha);
        c01 = c01.mul(alpha);
        c10 = c10.mul(alpha);
        c11 = c11.mul(alpha);
        c20 = c20.mul(alpha);
        c21 = c21.mul(alpha);
        c30 = c30.mul(alpha);
        c31 = c31.mul(alpha);
        c40 = c40.mul(alpha);
        c41 = c41.mul(alpha);
        c50 = c50.mul(alpha);
        c51 = c51.mul(alpha);
        if (beta != 0f) {
            c00 = c00.add(FloatVector.fromArray(S, c, o).mul(beta));
            c01 = c01.add(FloatVector.fromArray(S, c, o + L).mul(beta));
            o += ldc;
            c10 = c10.add(FloatVector.fromArray(S, c, o).mul(beta));
            c11 = c11.add(FloatVector.fromArray(S, c, o + L).mul(beta));
            o += ldc;
            c20 = c20.add(FloatVector.fromArray(S, c, o).mul(beta));
            c21 = c21.add(FloatVector.fromArray(S, c, o + L).mul(beta));
            o += ldc;
            c30 = c30.add(FloatVector.fromArray(S, c, o).mul(beta));
            c31 = c31.add(FloatVector.fromArray(S, c, o + L).mul(beta));
            o += ldc;
            c40 = c40.add(FloatVector.fromArray(S, c, o).mul(beta));
            c41 = c41.add(FloatVector.fromArray(S, c, o + L).mul(beta));
            o += ldc;
            c50 = c50.add(FloatVector.fromArray(S, c, o).mul(beta));
            c51 = c51.add(FloatVector.fromArray(S, c, o + L).mul(beta));
            o = cOff;
        }
        c00.intoArray(c, o);
        c01.intoArray(c, o + L);
        o += ldc;
        c10.intoArray(c, o);
        c11.intoArray(c, o + L);
        o += ldc;
        c20.intoArray(c, o);
        c21.intoArray(c, o + L);
        o += ldc;
        c30.intoArray(c, o);
        c31.intoArray(c, o + L);
        o += ldc;
        c40.intoArray(c, o);
        c41.intoArray(c, o + L);
        o += ldc;
        c50.intoArray(c, o);
        c51.intoArray(c, o + L);
    }
}
