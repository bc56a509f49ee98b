package org.varsparse.inference;

import java.util.Arrays;
import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * FISTA inference of the codes for a frozen decoder, exactly as the reference's {@code utils.ISTA} with
 * {@code --FISTA --positive_ISTA} (utils.py:141-221; METHOD.md §1.4):
 * <pre>
 *   Z ← E (or 0);  A ← Z;  t ← 1;  s ← 0 (B);  n ← 0 (B)
 *   for k = 0 .. K−1:
 *       G  ← ∇ smooth(A)                        reconstruction + β·hinge + γ·code term, on the whole batch
 *       Z_old ← Z;  Z ← max(0, A − (1−s)ηG − (1−s)λη)        row-masked prox step
 *       t' ← (1 + √(1 + 4t²))/2;  A ← Z + ((t−1)/t')(Z − Z_old);  t ← t'
 *       s_i ← [‖Z_old,i − Z_i‖ / ‖Z_old,i‖ &lt; tol]            0/0 and x/0 count as not converged
 *       n ← n + (1 − s)
 *       if k &lt; K−1 and all s_i = 1: break
 * </pre>
 * The smooth part's gradient (METHOD.md §1.11), with R = (2/P)(Ŷ − Y):
 * <ul>
 *   <li>linear Ŷ = Z·Wᵀ: ∇ = R·W, or in Gram form (2/P)(Z·WᵀW − Y·W) with WᵀW and Y·W formed once per batch;</li>
 *   <li>one hidden layer: H = relu(Z·W1ᵀ + b1), Ŷ = H·W2ᵀ, ∇ = ((R·W2) ⊙ 1[H > 0])·W1;</li>
 *   <li>hinge (β > 0): −2β·max(0, T − σ_j)·(z_ij − m_j)/((B − 1)σ_j), and 0 where σ_j = 0;</li>
 *   <li>code term (γ > 0): (2γ/l)(z_ij − e_ij).</li>
 * </ul>
 * A row that is currently stopped takes the step z = max(0, a), which ignores its gradient, so by default no
 * decoder work is done for it: the active rows are gathered into a compact block for the GEMMs (an O(B·l)
 * copy; blocks come in a fixed ladder of sizes, each allocated on first use). The hinge still sees every row.
 *
 * <p>An instance owns the workspaces for one batch size and one decoder and is reused across batches
 * (the decoder's weights are read at every {@link #solve}); it is not thread-safe: one solver per thread. Solvers
 * of several threads may share one decoder (and one {@link TensorOps}), as long as nothing trains it meanwhile.
 */
public final class Fista implements CodeSolver {

    /**
     * How the gradient is computed; none changes the method. Skipping stopped rows is exact; the Gram form
     * changes only float rounding (linear decoders; ignored for the one-hidden-layer decoder).
     *
     * @param gramForm        linear decoders: ∇ = (2/P)(Z·WᵀW − Y·W) instead of Ŷ = Z·Wᵀ, ∇ = R·W
     * @param skipStoppedRows no decoder work for rows whose step ignores the gradient
     */
    public record Strategy(boolean gramForm, boolean skipStoppedRows) {
        /** The default: Gram form and stopped-row skipping. */
        public static final Strategy FAST = new Strategy(true, true);
        /** The reference's work: a decoder forward and backward on every row, every iteration. */
        public static final Strategy PLAIN = new Strategy(false, false);
    }

    /** Compact block sizes shrink by 1/8 per step (≤ 14 % padding rows), down to 1. */
    private static final int LADDER_NUM = 7;
    private static final int LADDER_DEN = 8;

    private final TensorOps ops;
    private final LinearDictionary linear; // null unless a linear decoder
    private final OneHiddenDecoder oneHidden; // null unless the NL decoder
    private final FistaConfig config;
    private final Strategy strategy;
    private final boolean gram; // linear decoder in Gram form
    private final int batchSize; // B
    private final int codeDim; // l
    private final int outputDim; // P
    private final int hiddenDim; // H (0 for linear)

    private final Matrix z; // (B×l) codes
    private final Matrix aux; // (B×l) momentum point
    private final Matrix grad; // (B×l) gradient of the smooth part at aux
    private final float[] stopped; // (B) s_i ∈ {0, 1}
    private final int[] active; // (B) indices of the rows with s_i = 0
    private final float[] colMean; // (l)
    private final float[] colStd; // (l)
    private final float[] hingeCoef; // (l)
    private final float[] distSq; // (B) ‖Z_old,i − Z_i‖²
    private final float[] oldNorm; // (B) ‖Z_old,i‖
    private final Matrix gramMatrix; // (l×l) WᵀW, Gram form only
    private final Matrix yw; // (B×l) Y·W, Gram form only
    private final int[] ladder; // block sizes, descending from B
    private final RowBlock[] blocks; // per ladder size, allocated on first use

    private boolean recordTrace;
    private Energy energy; // trace only
    private Matrix traceOut; // (B×P) trace only
    private Matrix traceHidden; // (B×H) trace only, NL

    /** With {@link Strategy#FAST}. */
    public Fista(TensorOps ops, Decoder decoder, int batchSize, FistaConfig config) {
        this(ops, decoder, batchSize, config, Strategy.FAST);
    }

    public Fista(TensorOps ops, Decoder decoder, int batchSize, FistaConfig config, Strategy strategy) {
        if (ops == null || decoder == null || config == null || strategy == null) {
            throw new IllegalArgumentException("Fista needs ops, decoder, config and strategy (got a null)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (config.varianceReg() > 0 && batchSize < 2) {
            throw new IllegalArgumentException("varianceReg > 0 needs batchSize >= 2 (unbiased std over the batch), got 1");
        }
        if (decoder instanceof LinearDictionary lin) {
            this.linear = lin;
            this.oneHidden = null;
            this.hiddenDim = 0;
        } else if (decoder instanceof OneHiddenDecoder nl) {
            this.linear = null;
            this.oneHidden = nl;
            this.hiddenDim = nl.hiddenDim();
        } else {
            throw new IllegalArgumentException("Fista supports LinearDictionary and OneHiddenDecoder, got "
                    + decoder.getClass().getName());
        }
        this.ops = ops;
        this.config = config;
        this.strategy = strategy;
        this.gram = linear != null && strategy.gramForm();
        this.batchSize = batchSize;
        this.codeDim = decoder.codeDim();
        this.outputDim = decoder.outputDim();
        this.z = new Matrix(batchSize, codeDim);
        this.aux = new Matrix(batchSize, codeDim);
        this.grad = new Matrix(batchSize, codeDim);
        this.stopped = new float[batchSize];
        this.active = new int[batchSize];
        this.colMean = new float[codeDim];
        this.colStd = new float[codeDim];
        this.hingeCoef = new float[codeDim];
        this.distSq = new float[batchSize];
        this.oldNorm = new float[batchSize];
        this.gramMatrix = gram ? new Matrix(codeDim, codeDim) : null;
        this.yw = gram ? new Matrix(batchSize, codeDim) : null;
        this.ladder = ladder(batchSize);
        this.blocks = new RowBlock[ladder.length];
    }

    @Override
    public FistaConfig config() {
        return config;
    }

    public Strategy strategy() {
        return strategy;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    /** l, the code dimension of the decoder. */
    @Override
    public int codeDim() {
        return codeDim;
    }

    /** Record the energy (all four terms) and the stop mask of every iteration in {@link FistaResult#trace()}. */
    public void setRecordTrace(boolean recordTrace) {
        this.recordTrace = recordTrace;
    }

    /** {@link #solve(Matrix, Matrix, Matrix)} into a new B×l matrix. */
    public FistaResult solve(Matrix y, Matrix encoderCodes) {
        return solve(y, encoderCodes, new Matrix(batchSize, codeDim));
    }

    /**
     * Infers the codes of the batch y.
     *
     * @param y            inputs (B×P)
     * @param encoderCodes the encoder prediction E(y) (B×l): Z⁰ and the code-term target; may be null when the
     *                     config uses neither (zero start and codeReg = 0)
     * @param out          receives the final codes (B×l); the result's {@code codes} is this matrix
     */
    @Override
    public FistaResult solve(Matrix y, Matrix encoderCodes, Matrix out) {
        CodeSolver.checkSolveArguments(this, outputDim, y, encoderCodes, out);
        prepareBatch(y);
        final int maxSteps = config.maxInferenceSteps();
        final float eta = (float) config.codeStepSize();
        final float lambda = (float) config.sparsityReg();
        final double tol = (float) config.tolerance(); // the reference compares float32 values with it
        final boolean freeze = config.freezeConverged();

        if (config.encoderInit()) {
            z.copyFrom(encoderCodes);
        } else {
            z.fill(0f);
        }
        aux.copyFrom(z);
        Arrays.fill(stopped, 0f);
        int[] steps = new int[batchSize];

        Energy.Terms[] energyTrace = null;
        byte[][] maskTrace = null;
        if (recordTrace) {
            energyTrace = new Energy.Terms[maxSteps + 1];
            maskTrace = new byte[maxSteps][];
            energyTrace[0] = energyAt(y, encoderCodes);
        }

        double t = 1.0;
        int iterations = 0;
        for (int k = 0; k < maxSteps; k++) {
            smoothGradient(y, encoderCodes, aux, grad);
            double tNext = 0.5 * (1.0 + Math.sqrt(1.0 + 4.0 * t * t));
            // prox step, momentum, ‖Z_old,i − Z_i‖² and ‖Z_old,i‖ in one pass (no copy of Z_old)
            ops.fistaStep(aux, grad, stopped, eta, lambda, (float) ((t - 1.0) / tNext), z, distSq, oldNorm);
            t = tNext;

            boolean allStopped = true;
            for (int i = 0; i < batchSize; i++) {
                if (freeze && stopped[i] == 1f) {
                    continue; // frozen: z_i and a_i stay put (max(0, a_i) = a_i = z_i, z_i − z_old,i = 0)
                }
                boolean converged = Math.sqrt(distSq[i]) / oldNorm[i] < tol; // NaN (0/0) and inf compare false
                stopped[i] = converged ? 1f : 0f;
                if (!converged) {
                    steps[i]++;
                    allStopped = false;
                } else if (freeze) {
                    System.arraycopy(z.data, i * codeDim, aux.data, i * codeDim, codeDim); // drop the momentum
                }
            }
            iterations = k + 1;
            if (recordTrace) {
                energyTrace[k + 1] = energyAt(y, encoderCodes);
                maskTrace[k] = new byte[batchSize];
                for (int i = 0; i < batchSize; i++) {
                    maskTrace[k][i] = (byte) (stopped[i] == 1f ? 1 : 0);
                }
            }
            if (k < maxSteps - 1 && allStopped) {
                break;
            }
        }
        out.copyFrom(z);
        FistaResult.Trace trace = recordTrace
                ? new FistaResult.Trace(Arrays.copyOf(energyTrace, iterations + 1), Arrays.copyOf(maskTrace, iterations))
                : null;
        return new FistaResult(out, iterations, steps, trace);
    }

    /**
     * The gradient of the smooth part of the energy (reconstruction + β·hinge + γ·code term; METHOD.md §1.11)
     * at the point {@code at}, for every row.
     *
     * @param y            inputs (B×P)
     * @param encoderCodes E(y) (B×l); may be null when codeReg = 0
     * @param at           the codes where the gradient is taken (B×l)
     * @param out          receives the gradient (B×l)
     */
    public void gradient(Matrix y, Matrix encoderCodes, Matrix at, Matrix out) {
        checkInputs(y, encoderCodes, config.codeReg() > 0);
        if (at == null || at.rows != batchSize || at.cols != codeDim || out == null || !out.sameShape(at)) {
            throw new IllegalArgumentException("at " + (at == null ? "null" : at.shape()) + " and out "
                    + (out == null ? "null" : out.shape()) + " must both be " + batchSize + "x" + codeDim);
        }
        prepareBatch(y);
        Arrays.fill(stopped, 0f);
        smoothGradient(y, encoderCodes, at, grad);
        out.copyFrom(grad);
    }

    // ---------------------------------------------------------------- the gradient

    /** Per batch: WᵀW and Y·W for the Gram form. */
    private void prepareBatch(Matrix y) {
        if (gram) {
            ops.gemmTN(1f, linear.W, linear.W, 0f, gramMatrix); // (l×P)·(P×l)
            ops.gemm(1f, y, linear.W, 0f, yw); // (B×P)·(P×l)
        }
    }

    /** g ← ∇ smooth(a) on the rows with s_i = 0; other rows get only the (ignored) hinge and code terms. */
    private void smoothGradient(Matrix y, Matrix e, Matrix a, Matrix g) {
        int n = 0;
        for (int i = 0; i < batchSize; i++) {
            if (stopped[i] == 0f) {
                active[n++] = i;
            }
        }
        RowBlock b = block(strategy.skipStoppedRows() ? n : batchSize);
        if (n == 0) {
            g.fill(0f);
        } else if (b.size == batchSize) {
            reconstructionGradient(y, a, g, b, null, batchSize);
        } else {
            gatherRows(a, b.codes, n);
            reconstructionGradient(y, b.codes, b.grad, b, active, n);
            scatterRows(b.grad, g, n);
        }
        addHingeAndCodeTerms(a, e, g);
    }

    /**
     * out ← ∇_Z Σ_r (1/P)‖y_{rows[r]} − D(zc_r)‖² for the first n rows of zc (rows = null: row r is sample r).
     * zc, out (m×l) with m = b.size ≥ n; rows beyond n are padding (computed, never read).
     */
    private void reconstructionGradient(Matrix y, Matrix zc, Matrix out, RowBlock b, int[] rows, int n) {
        float scale = 2f / outputDim;
        if (gram) {
            if (rows == null) {
                out.copyFrom(yw);
            } else {
                for (int r = 0; r < n; r++) {
                    System.arraycopy(yw.data, rows[r] * codeDim, out.data, r * codeDim, codeDim);
                }
            }
            ops.gemm(scale, zc, gramMatrix, -scale, out); // (2/P)(Z·WᵀW − Y·W), (m×l)·(l×l)
        } else if (linear != null) {
            ops.gemmNT(1f, zc, linear.W, 0f, b.output); // Ŷ (m×P)
            scaledResidual(b.output, y, rows, n, scale); // R
            ops.gemm(1f, b.output, linear.W, 0f, out); // R·W (m×P)·(P×l)
        } else {
            ops.gemmNT(1f, zc, oneHidden.W1, 0f, b.hidden); // (m×l)·(l×H)
            ops.addRowVector(b.hidden, oneHidden.b1);
            ops.relu(b.hidden, b.hidden); // Hh; Hh > 0 exactly where H_pre > 0
            ops.gemmNT(1f, b.hidden, oneHidden.W2, 0f, b.output); // Ŷ (m×H)·(H×P)
            scaledResidual(b.output, y, rows, n, scale); // R
            ops.gemm(1f, b.output, oneHidden.W2, 0f, b.hiddenGrad); // G_H = R·W2 (m×P)·(P×H)
            ops.reluBackward(b.hidden, b.hiddenGrad); // G_pre
            ops.gemm(1f, b.hiddenGrad, oneHidden.W1, 0f, out); // G_pre·W1 (m×H)·(H×l)
        }
    }

    /** out_r ← scale·(out_r − y_{rows[r]}) for r < n. */
    private static void scaledResidual(Matrix out, Matrix y, int[] rows, int n, float scale) {
        int p = y.cols;
        for (int r = 0; r < n; r++) {
            int src = (rows == null ? r : rows[r]) * p;
            int dst = r * p;
            for (int j = 0; j < p; j++) {
                out.data[dst + j] = scale * (out.data[dst + j] - y.data[src + j]);
            }
        }
    }

    /**
     * g_ij += hinge_j·(a_ij − m_j) + (2γ/l)(a_ij − e_ij), hinge_j = −2β·max(0, T − σ_j)/((B − 1)σ_j) for σ_j > 0,
     * else 0 (PyTorch's norm backward gives a zero subgradient at 0). σ_j, m_j over all B rows of a.
     */
    private void addHingeAndCodeTerms(Matrix a, Matrix e, Matrix g) {
        boolean hinge = config.varianceReg() > 0;
        boolean code = config.codeReg() > 0;
        if (!hinge && !code) {
            return;
        }
        if (hinge) {
            ops.colMeans(a, colMean);
            ops.colStd(a, colMean, colStd);
            float threshold = (float) config.hingeThreshold();
            float beta = (float) config.varianceReg();
            for (int j = 0; j < codeDim; j++) {
                float s = colStd[j];
                hingeCoef[j] = s > 0f && s < threshold ? -2f * beta * (threshold - s) / ((batchSize - 1) * s) : 0f;
            }
        }
        float codeCoef = code ? (float) (2.0 * config.codeReg() / codeDim) : 0f;
        ops.addHingeAndCodeTerms(a, hinge ? hingeCoef : null, colMean, codeCoef, code ? e : null, g);
    }

    /** dst rows 0..n−1 ← src rows active[0..n−1]; dst rows n.. ← 0 (padding). */
    private void gatherRows(Matrix src, Matrix dst, int n) {
        for (int r = 0; r < n; r++) {
            System.arraycopy(src.data, active[r] * codeDim, dst.data, r * codeDim, codeDim);
        }
        Arrays.fill(dst.data, n * codeDim, dst.data.length, 0f);
    }

    /** dst rows active[r] ← src rows r; the other rows of dst ← 0. */
    private void scatterRows(Matrix src, Matrix dst, int n) {
        int r = 0;
        for (int i = 0; i < batchSize; i++) {
            if (r < n && active[r] == i) {
                System.arraycopy(src.data, r * codeDim, dst.data, i * codeDim, codeDim);
                r++;
            } else {
                Arrays.fill(dst.data, i * codeDim, (i + 1) * codeDim, 0f);
            }
        }
    }

    // ---------------------------------------------------------------- trace

    /** The reference's compute_energy at the current codes z. */
    private Energy.Terms energyAt(Matrix y, Matrix e) {
        if (energy == null) {
            energy = new Energy(batchSize, codeDim);
            traceOut = new Matrix(batchSize, outputDim);
            traceHidden = oneHidden != null ? new Matrix(batchSize, hiddenDim) : null;
        }
        if (linear != null) {
            ops.gemmNT(1f, z, linear.W, 0f, traceOut);
        } else {
            ops.gemmNT(1f, z, oneHidden.W1, 0f, traceHidden);
            ops.addRowVector(traceHidden, oneHidden.b1);
            ops.relu(traceHidden, traceHidden);
            ops.gemmNT(1f, traceHidden, oneHidden.W2, 0f, traceOut);
        }
        return energy.evaluate(ops, y, traceOut, z, config.codeReg() > 0 ? e : null, config);
    }

    // ---------------------------------------------------------------- workspaces

    /** The workspace of one compact block of {@code size} rows. */
    private final class RowBlock {
        final int size;
        final Matrix codes; // (size×l) gathered momentum points; null for the full block (aux is used)
        final Matrix grad; // (size×l) their gradients; null for the full block
        final Matrix output; // (size×P) Ŷ, then R; null in Gram form
        final Matrix hidden; // (size×H) NL only
        final Matrix hiddenGrad; // (size×H) NL only

        RowBlock(int size) {
            this.size = size;
            boolean full = size == batchSize;
            codes = full ? null : new Matrix(size, codeDim);
            grad = full ? null : new Matrix(size, codeDim);
            output = gram ? null : new Matrix(size, outputDim);
            hidden = oneHidden != null ? new Matrix(size, hiddenDim) : null;
            hiddenGrad = oneHidden != null ? new Matrix(size, hiddenDim) : null;
        }
    }

    /** The block of the smallest ladder size ≥ n (n ≥ 1). */
    private RowBlock block(int n) {
        int idx = 0;
        while (idx + 1 < ladder.length && ladder[idx + 1] >= n) {
            idx++;
        }
        RowBlock b = blocks[idx];
        if (b == null) {
            b = new RowBlock(ladder[idx]);
            blocks[idx] = b;
        }
        return b;
    }

    private static int[] ladder(int batchSize) {
        int[] sizes = new int[batchSize];
        int count = 0;
        for (long s = batchSize; s >= 1; s = nextLadderSize(s)) {
            sizes[count++] = (int) s;
        }
        return Arrays.copyOf(sizes, count);
    }

    private static long nextLadderSize(long s) {
        return Math.min(s - 1, s * LADDER_NUM / LADDER_DEN);
    }

    /**
     * The floats (ints counted as floats: both 4 bytes) a solver of these sizes holds once every block of its ladder
     * has been used, as a long solve does: for estimating memory before allocating. Trace buffers are left out.
     *
     * @param hiddenDim H of a one-hidden-layer decoder, 0 for a linear one
     */
    public static long workspaceFloats(int batchSize, int codeDim, int outputDim, int hiddenDim, Strategy strategy) {
        long b = batchSize, l = codeDim;
        boolean gram = hiddenDim == 0 && strategy.gramForm();
        // z, zOld, aux, grad; stopped, active, distSq, oldNorm and a solve's steps; colMean, colStd, hingeCoef
        long n = 4 * b * l + 5 * b + 3 * l;
        if (gram) {
            n += l * l + b * l; // WᵀW, Y·W
        }
        for (long s = batchSize; s >= 1; s = nextLadderSize(s)) {
            n += (s < b ? 2 * s * l : 0) + (gram ? 0 : s * outputDim) + 2 * s * hiddenDim;
        }
        return n;
    }

    private void checkInputs(Matrix y, Matrix e, boolean needE) {
        if (y == null || y.rows != batchSize || y.cols != outputDim) {
            throw new IllegalArgumentException("y is " + (y == null ? "null" : y.shape()) + ", needs B×P = "
                    + batchSize + "x" + outputDim);
        }
        if (e == null ? needE : e.rows != batchSize || e.cols != codeDim) {
            throw new IllegalArgumentException("encoderCodes is " + (e == null ? "null" : e.shape()) + ", needs B×l = "
                    + batchSize + "x" + codeDim + (e == null ? " (the config uses E)" : ""));
        }
    }
}
