package org.varsparse.encode;

import java.util.Arrays;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * Sparse codes of the rows of X against a fixed dictionary, like scikit-learn's
 * {@code sklearn.decomposition.sparse_encode} (1.2.1), in scikit-learn's layout:
 * <pre>
 *   X (n_samples × n_features),  D (n_components × n_features, one atom per row),  Z (n_samples × n_components)
 * </pre>
 * The lasso-type encoders minimise, per sample, scikit-learn's objective
 * <pre>
 *   ½‖x − z·D‖² + α‖z‖₁            (z ≥ 0 with {@code positive})
 * </pre>
 * which has the same minimiser as the reference's (1/P)‖x − z·D‖² + λ‖z‖₁ when α = λP/2 (P = n_features).
 *
 * <p>The products X·Dᵀ (the correlations, sklearn's {@code cov}ᵀ) and D·Dᵀ (the Gram matrix) are formed on the
 * tensor layer ({@link TensorOps#gemmNT}) in float32; the per-sample solvers then run in double on those
 * products, as sklearn's Gram-form solvers do. The facade methods check shapes and arguments once; every method
 * allocates its outputs.
 */
public final class SparseEncode {

    private SparseEncode() {
    }

    /** What an iterative encoder returns: the codes and the most iterations (sweeps, atoms) any sample needed. */
    public record Codes(Matrix codes, int iterations) {
    }

    // ------------------------------------------------------------------------------------------- threshold

    /**
     * sklearn's {@code algorithm='threshold'}: Z = sign(C)·max(|C| − α, 0) with C = X·Dᵀ, clipped at 0 with
     * {@code positive}. Not a minimiser of anything unless D has orthonormal rows; a fast baseline.
     */
    public static Matrix threshold(TensorOps ops, Matrix x, Matrix d, double alpha, boolean positive) {
        check(x, d);
        nonNegative("alpha", alpha);
        Matrix c = correlations(ops, x, d); // (n_samples × n_components)
        float a = (float) alpha;
        for (int i = 0; i < c.data.length; i++) {
            float v = c.data[i];
            float m = Math.max(Math.abs(v) - a, 0f);
            float s = positive ? (v > 0 ? m : 0f) : Math.copySign(m, v);
            c.data[i] = s == 0f ? 0f : s; // no −0
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------- OMP

    /**
     * sklearn's {@code min_float} in {@code _gram_omp}: {@code np.finfo(Gram.dtype).eps}, for our float32 Gram
     * 2⁻²³ ≈ 1.19e-7. Below it a correlation² counts as nothing left to explain, and a new atom's squared distance
     * from the span of the selected ones ({@code Lkk}) as linear dependence. A smaller threshold (a double's smallest
     * normal number) let rounding noise through, so a 9th atom was chosen in 8 dimensions, with huge coefficients.
     */
    private static final double OMP_MIN_FLOAT = Math.ulp(1f);

    /**
     * Orthogonal matching pursuit with a fixed number of atoms, as sklearn's {@code orthogonal_mp_gram} (the
     * Gram/Cholesky form, {@code tol=None}): repeatedly add the atom of largest |correlation with the residual|
     * (first index on ties) and refit the selected atoms by least squares (an updated Cholesky factor of their
     * Gram block). Stops early, like sklearn on float32 data (same threshold: float32's eps), when the best squared
     * correlation is below eps or the new atom is linearly dependent on the selected ones (its squared distance
     * from their span is at most eps), so asked for more atoms than n_features it chooses at most n_features.
     * Atoms are assumed to have unit norm (sklearn's assumption too).
     *
     * @param nNonzeroCoefs atoms per sample, in [1, n_components]
     */
    public static Codes omp(TensorOps ops, Matrix x, Matrix d, int nNonzeroCoefs) {
        check(x, d);
        if (nNonzeroCoefs < 1 || nNonzeroCoefs > d.rows) {
            throw new IllegalArgumentException("nNonzeroCoefs = " + nNonzeroCoefs + " is invalid: it must be an integer"
                    + " in [1, n_components = " + d.rows + "]");
        }
        Matrix c = correlations(ops, x, d);
        Matrix g = gram(ops, d);
        int k = d.rows;
        int kmax = nNonzeroCoefs;
        Matrix z = new Matrix(x.rows, k);
        double[] l = new double[kmax * kmax]; // lower Cholesky factor of the selected Gram block, row-major
        int[] sel = new int[kmax];
        boolean[] chosen = new boolean[k];
        double[] xy = new double[k];
        double[] alpha = new double[k];
        double[] gamma = new double[kmax];
        double[] w = new double[kmax];
        int most = 0;
        for (int i = 0; i < x.rows; i++) {
            Arrays.fill(chosen, false);
            for (int j = 0; j < k; j++) {
                xy[j] = c.data[i * k + j];
                alpha[j] = xy[j];
            }
            int n = 0;
            while (n < kmax) {
                int lam = 0;
                for (int j = 1; j < k; j++) {
                    if (Math.abs(alpha[j]) > Math.abs(alpha[lam])) {
                        lam = j;
                    }
                }
                if (chosen[lam] || alpha[lam] * alpha[lam] < OMP_MIN_FLOAT) {
                    break; // nothing left to explain (sklearn warns and stops here too)
                }
                double glam = g.data[lam * k + lam];
                if (n > 0) {
                    for (int a = 0; a < n; a++) { // w = L⁻¹ · G[sel, lam]
                        double s = g.data[sel[a] * k + lam];
                        for (int b = 0; b < a; b++) {
                            s -= l[a * kmax + b] * w[b];
                        }
                        w[a] = s / l[a * kmax + a];
                    }
                    double v = 0;
                    for (int a = 0; a < n; a++) {
                        v += w[a] * w[a];
                    }
                    double lkk = glam - v;
                    if (lkk <= OMP_MIN_FLOAT) {
                        break; // linearly dependent atom (at most n_features atoms are ever chosen)
                    }
                    System.arraycopy(w, 0, l, n * kmax, n);
                    l[n * kmax + n] = Math.sqrt(lkk);
                } else {
                    l[0] = Math.sqrt(glam);
                }
                sel[n++] = lam;
                chosen[lam] = true;
                choleskySolve(l, kmax, n, sel, xy, w, gamma);
                for (int j = 0; j < k; j++) { // alpha = Xy − G[:, sel]·γ
                    double s = xy[j];
                    for (int a = 0; a < n; a++) {
                        s -= g.data[j * k + sel[a]] * gamma[a];
                    }
                    alpha[j] = s;
                }
            }
            for (int a = 0; a < n; a++) {
                z.data[i * k + sel[a]] = (float) gamma[a];
            }
            most = Math.max(most, n);
        }
        return new Codes(z, most);
    }

    /** γ = (L·Lᵀ)⁻¹·Xy[sel] for the first n selected atoms; tmp is scratch. */
    private static void choleskySolve(double[] l, int stride, int n, int[] sel, double[] xy, double[] tmp,
                                      double[] gamma) {
        for (int a = 0; a < n; a++) {
            double s = xy[sel[a]];
            for (int b = 0; b < a; b++) {
                s -= l[a * stride + b] * tmp[b];
            }
            tmp[a] = s / l[a * stride + a];
        }
        for (int a = n - 1; a >= 0; a--) {
            double s = tmp[a];
            for (int b = a + 1; b < n; b++) {
                s -= l[b * stride + a] * gamma[b];
            }
            gamma[a] = s / l[a * stride + a];
        }
    }

    // ------------------------------------------------------------------------------------------- lasso (CD)

    /**
     * The lasso by cyclic coordinate descent in Gram form, as sklearn's {@code lasso_cd} (its
     * {@code enet_coordinate_descent_gram} with l2 = 0): sweeps over the atoms in order,
     * z_j ← S(c_j − Σ_{k≠j} G_jk z_k, α) / G_jj (S the soft threshold; clipped at 0 with {@code positive}),
     * from z = 0. After a sweep whose largest update is below tol·max|z| (or after the last one) it computes
     * the duality gap and stops when the gap is below tol·‖x‖², sklearn's criterion. An atom with G_jj = 0 is
     * skipped (its code stays 0).
     *
     * @param maxIter sweeps, ≥ 1 (sklearn's {@code max_iter}, default 1000 in {@code sparse_encode})
     * @param tol     sklearn's {@code tol} (default 1e-4)
     */
    public static Codes lassoCd(TensorOps ops, Matrix x, Matrix d, double alpha, boolean positive, int maxIter,
                                double tol) {
        check(x, d);
        nonNegative("alpha", alpha);
        positiveInt("maxIter", maxIter);
        nonNegative("tol", tol);
        Matrix c = correlations(ops, x, d);
        Matrix g = gram(ops, d);
        int k = d.rows;
        Matrix z = new Matrix(x.rows, k);
        double[] w = new double[k];
        double[] q = new double[k];
        double[] h = new double[k]; // G·w
        int most = 0;
        for (int i = 0; i < x.rows; i++) {
            Arrays.fill(w, 0);
            Arrays.fill(h, 0);
            double yy = 0;
            for (int p = 0; p < x.cols; p++) {
                double v = x.data[i * x.cols + p];
                yy += v * v;
            }
            for (int j = 0; j < k; j++) {
                q[j] = c.data[i * k + j];
            }
            double tolAbs = tol * yy;
            int sweeps = 0;
            for (int it = 0; it < maxIter; it++) {
                sweeps = it + 1;
                double wMax = 0, dMax = 0;
                for (int j = 0; j < k; j++) {
                    double gjj = g.data[j * k + j];
                    if (gjj == 0) {
                        continue;
                    }
                    double old = w[j];
                    double tmp = q[j] - h[j] + gjj * old;
                    double nw = positive && tmp < 0 ? 0 : Math.signum(tmp) * Math.max(Math.abs(tmp) - alpha, 0) / gjj;
                    if (nw != old) {
                        double delta = nw - old;
                        for (int m = 0; m < k; m++) {
                            h[m] += delta * g.data[m * k + j];
                        }
                        w[j] = nw;
                    }
                    dMax = Math.max(dMax, Math.abs(nw - old));
                    wMax = Math.max(wMax, Math.abs(nw));
                }
                if (wMax == 0 || dMax / wMax < tol || it == maxIter - 1) {
                    if (dualityGap(w, q, h, yy, alpha, positive) < tolAbs) {
                        break;
                    }
                }
            }
            for (int j = 0; j < k; j++) {
                z.data[i * k + j] = (float) w[j];
            }
            most = Math.max(most, sweeps);
        }
        return new Codes(z, most);
    }

    /**
     * The lasso duality gap of sklearn's Gram solver, from w, q = D·x, h = G·w and ‖x‖²: with the residual
     * r = x − Dᵀw, ‖r‖² = ‖x‖² − 2w·q + w·h and Dr = q − h.
     */
    private static double dualityGap(double[] w, double[] q, double[] h, double yy, double alpha, boolean positive) {
        double wq = 0, wh = 0, l1 = 0, dual = 0;
        for (int j = 0; j < w.length; j++) {
            wq += w[j] * q[j];
            wh += w[j] * h[j];
            l1 += Math.abs(w[j]);
            double xta = q[j] - h[j];
            dual = Math.max(dual, positive ? xta : Math.abs(xta));
        }
        double rNorm2 = Math.max(yy - 2 * wq + wh, 0);
        double ry = yy - wq;
        double gap;
        double cst;
        if (dual > alpha) {
            cst = alpha / dual;
            gap = 0.5 * (rNorm2 + rNorm2 * cst * cst);
        } else {
            cst = 1;
            gap = rNorm2;
        }
        return gap + alpha * l1 - cst * ry;
    }

    // ------------------------------------------------------------------------------------------- ISTA / FISTA

    /**
     * Proximal gradient on sklearn's objective, all samples at once on the tensor layer:
     * Z ← S(A − η(A·G − C), ηα) with C = X·Dᵀ, G = D·Dᵀ, S the soft threshold (max(0, ·) with {@code positive}),
     * from Z = 0. With {@code momentum} it is FISTA (A = Z + ((t−1)/t')(Z − Z_old)), else ISTA (A = Z). A sample
     * stops counting when ‖z_old − z‖ / ‖z_old‖ &lt; tol (the reference's rule); the loop ends when every sample
     * has, or after maxIter iterations.
     *
     * @param stepSize η, in (0, 2/L) for ISTA and (0, 1/L] for FISTA with L = ‖D‖₂² (see {@link #lipschitz});
     *                 a value ≤ 0 means 1/L
     */
    public static Codes ista(TensorOps ops, Matrix x, Matrix d, double alpha, boolean positive, boolean momentum,
                             double stepSize, int maxIter, double tol) {
        check(x, d);
        nonNegative("alpha", alpha);
        positiveInt("maxIter", maxIter);
        nonNegative("tol", tol);
        Matrix c = correlations(ops, x, d); // (n×k)
        Matrix g = gram(ops, d); // (k×k)
        double lip = lipschitz(g);
        float eta = (float) (stepSize > 0 ? stepSize : lip > 0 ? 1 / lip : 1);
        float thr = (float) (eta * alpha);
        int n = x.rows;
        int k = d.rows;
        Matrix z = new Matrix(n, k);
        Matrix zOld = new Matrix(n, k);
        Matrix a = new Matrix(n, k);
        Matrix grad = new Matrix(n, k);
        float[] dist = new float[n];
        float[] norm = new float[n];
        double t = 1;
        int iterations = 0;
        for (int it = 0; it < maxIter; it++) {
            grad.copyFrom(c);
            ops.gemm(1f, a, g, -1f, grad); // A·G − C (G symmetric)
            zOld.copyFrom(z);
            z.copyFrom(a);
            ops.axpy(-eta, grad, z);
            if (positive) {
                ops.softThresholdNonNeg(z, thr, z);
            } else {
                for (int q = 0; q < z.data.length; q++) {
                    float v = z.data[q];
                    float m = Math.max(Math.abs(v) - thr, 0f);
                    z.data[q] = m == 0f ? 0f : Math.copySign(m, v);
                }
            }
            if (momentum) {
                double tNext = 0.5 * (1 + Math.sqrt(1 + 4 * t * t));
                ops.fistaMomentum(z, zOld, (float) ((t - 1) / tNext), a);
                t = tNext;
            } else {
                a.copyFrom(z);
            }
            iterations = it + 1;
            ops.rowSquaredDistances(zOld, z, dist);
            ops.rowNorms(zOld, norm);
            boolean all = true;
            for (int i = 0; i < n && all; i++) {
                all = Math.sqrt(dist[i]) / norm[i] < tol; // 0/0 counts as not converged
            }
            if (all) {
                break;
            }
        }
        return new Codes(z, iterations);
    }

    /** L = the largest eigenvalue of the symmetric PSD matrix g (= ‖D‖₂² for g = D·Dᵀ), by power iteration. */
    public static double lipschitz(Matrix g) {
        int k = g.rows;
        double[] v = new double[k];
        double[] u = new double[k];
        Arrays.fill(v, 1 / Math.sqrt(k));
        double lam = 0;
        for (int it = 0; it < 100; it++) {
            double nrm = 0;
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    s += g.data[i * k + j] * v[j];
                }
                u[i] = s;
                nrm += s * s;
            }
            nrm = Math.sqrt(nrm);
            if (nrm == 0) {
                return 0;
            }
            for (int i = 0; i < k; i++) {
                v[i] = u[i] / nrm;
            }
            if (Math.abs(nrm - lam) <= 1e-9 * nrm) {
                lam = nrm;
                break;
            }
            lam = nrm;
        }
        return lam * 1.0001; // a hair above, so 1/L is a safe step despite the power iteration's error
    }

    // ------------------------------------------------------------------------------------------- objectives

    /** Per sample ½‖x_i − z_i·D‖² + α‖z_i‖₁ (sklearn's lasso objective), in double. */
    public static double[] lassoObjective(Matrix x, Matrix d, Matrix z, double alpha) {
        check(x, d);
        if (z.rows != x.rows || z.cols != d.rows) {
            throw new IllegalArgumentException("codes " + z.shape() + " do not fit X " + x.shape() + " and dictionary "
                    + d.shape() + " (need " + x.rows + "x" + d.rows + ")");
        }
        double[] out = new double[x.rows];
        double[] r = new double[x.cols];
        for (int i = 0; i < x.rows; i++) {
            double l1 = 0;
            for (int p = 0; p < x.cols; p++) {
                r[p] = x.data[i * x.cols + p];
            }
            for (int j = 0; j < d.rows; j++) {
                double zij = z.data[i * z.cols + j];
                l1 += Math.abs(zij);
                if (zij != 0) {
                    for (int p = 0; p < x.cols; p++) {
                        r[p] -= zij * d.data[j * d.cols + p];
                    }
                }
            }
            double s = 0;
            for (double v : r) {
                s += v * v;
            }
            out[i] = 0.5 * s + alpha * l1;
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------- shared

    /** C = X·Dᵀ (n_samples × n_components). */
    static Matrix correlations(TensorOps ops, Matrix x, Matrix d) {
        Matrix c = new Matrix(x.rows, d.rows);
        ops.gemmNT(1f, x, d, 0f, c);
        return c;
    }

    /** G = D·Dᵀ (n_components × n_components). */
    static Matrix gram(TensorOps ops, Matrix d) {
        Matrix g = new Matrix(d.rows, d.rows);
        ops.gemmNT(1f, d, d, 0f, g);
        return g;
    }

    private static void check(Matrix x, Matrix d) {
        if (x == null || d == null) {
            throw new IllegalArgumentException("X and the dictionary must not be null");
        }
        if (x.cols != d.cols) {
            throw new IllegalArgumentException("X " + x.shape() + " and dictionary " + d.shape()
                    + " differ in n_features (X is n_samples×n_features, the dictionary n_components×n_features)");
        }
        if (d.rows == 0) {
            throw new IllegalArgumentException("the dictionary " + d.shape() + " has no atoms");
        }
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " = " + v + " is invalid: it must be a finite number >= 0");
        }
    }

    private static void positiveInt(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " = " + v + " is invalid: it must be an integer >= 1");
        }
    }
}
