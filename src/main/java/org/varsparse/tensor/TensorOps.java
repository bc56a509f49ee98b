package org.varsparse.tensor;

/**
 * The operations FISTA and training need (METHOD.md §1.11, §6.2), on row-major float32 {@link Matrix}.
 *
 * <p>This class is the facade: every public method checks shapes and arguments once, then calls the
 * backend's kernel, which trusts its input. Shape errors are {@link IllegalArgumentException}s naming
 * both shapes. Implementations: {@code backend.scalar.ScalarOps} (plain loops, the oracle) and
 * {@code backend.simd.SimdOps} (jdk.incubator.vector, multithreaded with a fixed partition, so results
 * are identical from run to run). Outputs may not alias inputs unless a method says so.
 *
 * <p>Reductions accumulate in double; GEMMs accumulate in float (as PyTorch float32 does).
 *
 * <p>Thread safety: every backend may be shared by any number of threads, and a call's result does not depend on
 * what other threads do meanwhile. ScalarOps holds no state. SimdOps runs each GEMM on its worker pool under one
 * lock (so concurrent GEMMs take turns: correct and bit-identical, but no faster than one caller; give each
 * thread its own backend from {@code Backends.create} to run them side by side), and the other kernels on the
 * calling thread without shared state; the TornadoVM backend's device GEMMs are synchronized likewise, its other
 * kernels are the CPU backend's. The matrices passed in belong to the caller: two threads may not write the same
 * output. (A {@code CodeSolver} a backend makes holds workspaces: one per thread.)
 */
public abstract class TensorOps {

    /** Short name used by backend selection and logs: "scalar", "simd", ... */
    public abstract String name();

    /** Worker threads this backend uses for large kernels (1 for the scalar oracle). */
    public int threads() {
        return 1;
    }

    // ---------------------------------------------------------------- GEMM

    /** C = alpha·A·B + beta·C. A (m×k), B (k×n), C (m×n). beta = 0 ignores C's old values (even NaN). */
    public final void gemm(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        if (a.cols != b.rows || c.rows != a.rows || c.cols != b.cols) {
            throw shapes("gemm A·B", a, b, c);
        }
        noAlias(c, a, b);
        gemmNN(alpha, a, b, beta, c);
    }

    /** C = alpha·A·Bᵀ + beta·C. A (m×k), B (n×k), C (m×n). E.g. Ŷ = Z·Wᵀ with W (P×l). */
    public final void gemmNT(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        if (a.cols != b.cols || c.rows != a.rows || c.cols != b.rows) {
            throw shapes("gemm A·Bᵀ", a, b, c);
        }
        noAlias(c, a, b);
        gemmNTKernel(alpha, a, b, beta, c);
    }

    /** C = alpha·Aᵀ·B + beta·C. A (k×m), B (k×n), C (m×n). E.g. ∇W = Rᵀ·Z, or the Gram matrix WᵀW. */
    public final void gemmTN(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        if (a.rows != b.rows || c.rows != a.cols || c.cols != b.cols) {
            throw shapes("gemm Aᵀ·B", a, b, c);
        }
        noAlias(c, a, b);
        gemmTNKernel(alpha, a, b, beta, c);
    }

    protected abstract void gemmNN(float alpha, Matrix a, Matrix b, float beta, Matrix c);

    protected abstract void gemmNTKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c);

    protected abstract void gemmTNKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c);

    // ---------------------------------------------------------------- reductions

    /** out[i] = Σ_j a_ij. out has length a.rows. */
    public final void rowSums(Matrix a, float[] out) {
        len("rowSums", out, a.rows, a);
        rowSumsKernel(a, out);
    }

    /** out[j] = Σ_i a_ij. out has length a.cols. */
    public final void colSums(Matrix a, float[] out) {
        len("colSums", out, a.cols, a);
        colSumsKernel(a, out);
    }

    /** out[j] = (1/rows)·Σ_i a_ij. */
    public final void colMeans(Matrix a, float[] out) {
        len("colMeans", out, a.cols, a);
        if (a.rows == 0) {
            throw new IllegalArgumentException("colMeans of " + a.shape() + ": no rows");
        }
        colSumsKernel(a, out);
        float inv = 1.0f / a.rows;
        for (int j = 0; j < out.length; j++) {
            out[j] *= inv;
        }
    }

    /**
     * Unbiased column standard deviation over the batch (rows): out[j] = sqrt(Σ_i (a_ij − mean_j)² / (rows − 1)),
     * as torch's {@code std(dim=0)} in utils.sqrt_var. {@code mean} is the column mean (see {@link #colMeans}).
     */
    public final void colStd(Matrix a, float[] mean, float[] out) {
        len("colStd mean", mean, a.cols, a);
        len("colStd out", out, a.cols, a);
        if (a.rows < 2) {
            throw new IllegalArgumentException("colStd of " + a.shape() + ": the unbiased std needs at least 2 rows");
        }
        colStdKernel(a, mean, out);
    }

    /** out[i] = ‖a_i‖₂ (row L2 norms). */
    public final void rowNorms(Matrix a, float[] out) {
        len("rowNorms", out, a.rows, a);
        rowNormsKernel(a, out);
    }

    /** out[i] = ‖a_i − b_i‖₂² (per-row squared distance; the per-sample reconstruction error). */
    public final void rowSquaredDistances(Matrix a, Matrix b, float[] out) {
        same("rowSquaredDistances", a, b);
        len("rowSquaredDistances", out, a.rows, a);
        rowSquaredDistancesKernel(a, b, out);
    }

    protected abstract void rowSumsKernel(Matrix a, float[] out);

    protected abstract void colSumsKernel(Matrix a, float[] out);

    protected abstract void colStdKernel(Matrix a, float[] mean, float[] out);

    protected abstract void rowNormsKernel(Matrix a, float[] out);

    protected abstract void rowSquaredDistancesKernel(Matrix a, Matrix b, float[] out);

    // ---------------------------------------------------------------- elementwise

    /** out = max(0, x − t): the prox of t‖z‖₁ + 𝟙{z ≥ 0} (utils.soft_threshold with positive=True). out may be x. */
    public final void softThresholdNonNeg(Matrix x, float t, Matrix out) {
        same("softThresholdNonNeg", x, out);
        softThresholdNonNegKernel(x, t, out);
    }

    /** y += alpha·x. */
    public final void axpy(float alpha, Matrix x, Matrix y) {
        same("axpy", x, y);
        axpbyKernel(alpha, x, 1.0f, y);
    }

    /** y = alpha·x + beta·y. */
    public final void axpby(float alpha, Matrix x, float beta, Matrix y) {
        same("axpby", x, y);
        axpbyKernel(alpha, x, beta, y);
    }

    /** FISTA momentum (utils.py:190-193): aux = z + coef·(z − zOld), coef = (t − 1)/t'. */
    public final void fistaMomentum(Matrix z, Matrix zOld, float coef, Matrix aux) {
        same("fistaMomentum z/zOld", z, zOld);
        same("fistaMomentum z/aux", z, aux);
        fistaMomentumKernel(z, zOld, coef, aux);
    }

    /** out = max(0, x). out may be x. */
    public final void relu(Matrix x, Matrix out) {
        same("relu", x, out);
        reluKernel(x, out);
    }

    /** grad *= 1[pre > 0]: ReLU backward (PyTorch gives 0 at exactly 0). */
    public final void reluBackward(Matrix pre, Matrix grad) {
        same("reluBackward", pre, grad);
        reluBackwardKernel(pre, grad);
    }

    /**
     * The masked FISTA prox step (utils.py:120-133): for each row i with stop flag s_i ∈ {0, 1},
     * z_i = max(0, aux_i − (1 − s_i)·eta·grad_i − (1 − s_i)·lambda·eta). A stopped row becomes max(0, aux_i).
     */
    public final void maskedProxStep(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda, Matrix z) {
        same("maskedProxStep aux/grad", aux, grad);
        same("maskedProxStep aux/z", aux, z);
        len("maskedProxStep stopped", stopped, aux.rows, aux);
        maskedProxStepKernel(aux, grad, stopped, eta, lambda, z);
    }

    /**
     * One fused FISTA update (utils.py:120-133, 187-200): with zOld = z on entry, for each row i with stop flag
     * s_i ∈ {0, 1}, the same float operations as {@link #maskedProxStep}, {@link #fistaMomentum},
     * {@link #rowSquaredDistances} and {@link #rowNorms} in turn, in one pass and without a copy of zOld:
     * <pre>
     *   z_i ← max(0, aux_i − (1 − s_i)·eta·grad_i − (1 − s_i)·lambda·eta)
     *   aux_i ← z_i + coef·(z_i − zOld_i)
     *   distSq[i] ← ‖zOld_i − z_i‖²,  oldNorm[i] ← ‖zOld_i‖      (accumulated in double)
     * </pre>
     * z and aux are updated in place; grad is only read.
     */
    public final void fistaStep(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda, float coef, Matrix z,
                                float[] distSq, float[] oldNorm) {
        same("fistaStep aux/grad", aux, grad);
        same("fistaStep aux/z", aux, z);
        len("fistaStep stopped", stopped, aux.rows, aux);
        len("fistaStep distSq", distSq, aux.rows, aux);
        len("fistaStep oldNorm", oldNorm, aux.rows, aux);
        if (aux.data == grad.data || z.data == aux.data || z.data == grad.data) {
            throw new IllegalArgumentException("fistaStep: aux, grad and z must be distinct matrices");
        }
        fistaStepKernel(aux, grad, stopped, eta, lambda, coef, z, distSq, oldNorm);
    }

    /**
     * g_ij += colCoef_j·(a_ij − colMean_j) + codeCoef·(a_ij − e_ij): FISTA's variance-hinge and code terms
     * (METHOD.md §1.11). colCoef null: no column term (colMean is then ignored, may be null); e null: no code term.
     * The two products are added as floats, then added to g (no fma).
     */
    public final void addHingeAndCodeTerms(Matrix a, float[] colCoef, float[] colMean, float codeCoef, Matrix e, Matrix g) {
        same("addHingeAndCodeTerms a/g", a, g);
        if (colCoef != null) {
            len("addHingeAndCodeTerms colCoef", colCoef, a.cols, a);
            len("addHingeAndCodeTerms colMean", colMean, a.cols, a);
        }
        if (e != null) {
            same("addHingeAndCodeTerms a/e", a, e);
        }
        if (colCoef == null && e == null) {
            return;
        }
        addHingeAndCodeTermsKernel(a, colCoef, colMean, codeCoef, e, g);
    }

    /**
     * The reference loops (ScalarOps inherits them as the oracle; backends without a fast version, e.g. test
     * stubs and delegating backends, too).
     */
    protected void fistaStepKernel(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda, float coef,
                                   Matrix z, float[] distSq, float[] oldNorm) {
        int n = aux.cols;
        float[] as = aux.data, gs = grad.data, zs = z.data;
        for (int i = 0; i < aux.rows; i++) {
            float live = 1f - stopped[i];
            float step = live * eta;
            float thr = live * lambda * eta;
            double dist = 0, norm = 0;
            for (int j = 0; j < n; j++) {
                int idx = i * n + j;
                float zo = zs[idx];
                float zn = Math.max(0f, as[idx] - step * gs[idx] - thr);
                zs[idx] = zn;
                as[idx] = zn + coef * (zn - zo);
                double d = zo - zn;
                dist += d * d;
                double o = zo;
                norm += o * o;
            }
            distSq[i] = (float) dist;
            oldNorm[i] = (float) Math.sqrt(norm);
        }
    }

    /** The reference loop (see {@link #fistaStepKernel}). */
    protected void addHingeAndCodeTermsKernel(Matrix a, float[] colCoef, float[] colMean, float codeCoef, Matrix e,
                                              Matrix g) {
        int n = a.cols;
        for (int i = 0; i < a.rows; i++) {
            for (int j = 0; j < n; j++) {
                int idx = i * n + j;
                float v = a.data[idx];
                float add = colCoef != null ? colCoef[j] * (v - colMean[j]) : 0f; // no 0·inf where a term is off
                if (e != null) {
                    add += codeCoef * (v - e.data[idx]);
                }
                g.data[idx] += add;
            }
        }
    }

    /** x_ij += v_j (a bias added to every row). */
    public final void addRowVector(Matrix x, float[] v) {
        len("addRowVector", v, x.cols, x);
        addRowVectorKernel(x, v);
    }

    protected abstract void softThresholdNonNegKernel(Matrix x, float t, Matrix out);

    protected abstract void axpbyKernel(float alpha, Matrix x, float beta, Matrix y);

    protected abstract void fistaMomentumKernel(Matrix z, Matrix zOld, float coef, Matrix aux);

    protected abstract void reluKernel(Matrix x, Matrix out);

    protected abstract void reluBackwardKernel(Matrix pre, Matrix grad);

    protected abstract void maskedProxStepKernel(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda,
                                                 Matrix z);

    protected abstract void addRowVectorKernel(Matrix x, float[] v);

    // ---------------------------------------------------------------- checks

    private static IllegalArgumentException shapes(String op, Matrix a, Matrix b, Matrix c) {
        return new IllegalArgumentException(
                op + ": incompatible shapes A " + a.shape() + ", B " + b.shape() + ", C " + c.shape());
    }

    private static void same(String op, Matrix a, Matrix b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(op + ": shapes differ, " + a.shape() + " vs " + b.shape());
        }
    }

    private static void len(String op, float[] v, int expected, Matrix m) {
        if (v.length != expected) {
            throw new IllegalArgumentException(
                    op + ": vector of length " + v.length + " does not fit matrix " + m.shape() + " (needs " + expected + ")");
        }
    }

    private static void noAlias(Matrix c, Matrix a, Matrix b) {
        if (c.data == a.data || c.data == b.data) {
            throw new IllegalArgumentException("gemm: the output " + c.shape() + " may not share storage with an input");
        }
    }
}
