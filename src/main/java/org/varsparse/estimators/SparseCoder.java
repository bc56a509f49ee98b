package org.varsparse.estimators;

import java.util.HashMap;
import java.util.Map;
import org.varsparse.backend.Backends;
import org.varsparse.encode.SparseEncode;
import org.varsparse.inference.BatchedFista;
import org.varsparse.inference.CodeSolver;
import org.varsparse.inference.FistaConfig;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.ListaEncoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * Sparse codes against a fixed dictionary, shaped like scikit-learn's {@code SparseCoder}: a dictionary D
 * (n_components × n_features, one atom per row), {@link #transform} X (n_samples × n_features) → Z
 * (n_samples × n_components), {@link #inverseTransform} Z → Z·D.
 *
 * <p>Objectives, per {@link Algorithm}:
 * <ul>
 *   <li>{@code FISTA} — the reference's solver (utils.ISTA with --FISTA --positive_ISTA, {@link org.varsparse.inference.Fista}) on its
 *       energy, in its units, per batch of B rows:
 *       <pre>  Σ_i (1/P)‖y_i − z_i·D‖² + λ‖z_i‖₁ + β Σ_j [T − σ_j(Z)]₊² + (γ/l)‖z_i − E(y_i)‖²,   z ≥ 0</pre>
 *       with σ_j the unbiased std of code j over the batch (β = {@code varianceReg}, T = {@code hingeThreshold}),
 *       and the code term only with a trained {@link #encoder encoder} E (which then also gives Z⁰; else Z⁰ = 0).
 *       With {@code positive(false)}, β = 0 and no encoder it runs signed FISTA on the same objective.</li>
 *   <li>{@code ISTA} — proximal gradient without momentum; {@code LASSO_CD} — coordinate descent like sklearn's
 *       {@code lasso_cd}: scikit-learn's lasso, per sample <pre>  ½‖y − z·D‖² + α‖z‖₁   (z ≥ 0 with positive)</pre>
 *       This has the same minimiser as the reference's energy with β = γ = 0 when <b>α = λP/2</b>
 *       (P = n_features): set either {@link Builder#alpha} or {@link Builder#sparsityReg}, the other follows.</li>
 *   <li>{@code OMP} — orthogonal matching pursuit, min ‖y − z·D‖² subject to ‖z‖₀ ≤ {@code nNonzeroCoefs}.</li>
 *   <li>{@code THRESHOLD} — sign(c)·max(|c| − α, 0) of c = y·Dᵀ (no objective; exact only for orthonormal D).</li>
 *   <li>{@code LISTA} — the trained amortized encoder E(y) of a {@link DictionaryLearning} (needs {@link
 *       Builder#encoder}).</li>
 * </ul>
 * Every parameter is checked when set, with a message naming it and its allowed range; combinations are checked
 * by {@link Builder#build}. Not thread-safe (it caches solver workspaces).
 *
 * <pre>{@code
 * SparseCoder omp = SparseCoder.builder(dictionary).algorithm(SparseCoder.Algorithm.OMP).nNonzeroCoefs(3).build();
 * Matrix codes = omp.transform(x);                // (n_samples × n_components)
 * Matrix approx = omp.inverseTransform(codes);    // (n_samples × n_features)
 * }</pre>
 */
public final class SparseCoder {

    /** The encoders; see the class doc for what each minimises. */
    public enum Algorithm { FISTA, ISTA, OMP, LASSO_CD, THRESHOLD, LISTA }

    private final Matrix dictionary; // (k×P)
    private final Algorithm algorithm;
    private final double alpha; // sklearn units
    private final double sparsityReg; // λ, reference units
    private final int nNonzeroCoefs;
    private final boolean positive;
    private final int maxIter;
    private final double tol;
    private final double codeStepSize; // η; 0 = 1/L
    private final double varianceReg;
    private final double hingeThreshold;
    private final double codeReg;
    private final int batchSize;
    private final ListaEncoder encoder;
    private final TensorOps ops;
    private final Map<Integer, CodeSolver> solvers = new HashMap<>(); // FISTA, per batch size
    private LinearDictionary linear; // FISTA's decoder, W = Dᵀ (P×k)
    private int nIter;

    private SparseCoder(Builder b) {
        this.dictionary = Inputs.finite("dictionary", b.dictionary.copy());
        if (allZero(dictionary)) {
            throw new IllegalArgumentException("dictionary " + dictionary.shape() + " is all zeros: it has no atoms to "
                    + "code with (every code would be 0, and FISTA/ISTA have no step size 1/L with L = 0); pass a "
                    + "dictionary with non-zero atoms, e.g. a learned one (DictionaryLearning.components())");
        }
        this.algorithm = b.algorithm;
        int p = dictionary.cols;
        this.alpha = b.alpha != null ? b.alpha : b.sparsityReg != null ? b.sparsityReg * p / 2 : 1.0;
        this.sparsityReg = 2 * alpha / p;
        this.nNonzeroCoefs = b.nNonzeroCoefs != null ? b.nNonzeroCoefs
                : Math.min(dictionary.rows, Math.max(1, p / 10)); // sklearn: 10% of n_features
        this.positive = b.positive;
        this.maxIter = b.maxIter != null ? b.maxIter : algorithm == Algorithm.FISTA ? 200 : 1000;
        this.tol = b.tol != null ? b.tol : algorithm == Algorithm.LASSO_CD ? 1e-4 : 1e-3;
        this.codeStepSize = b.codeStepSize;
        this.varianceReg = b.varianceReg;
        this.hingeThreshold = b.hingeThreshold;
        this.codeReg = b.codeReg;
        this.batchSize = b.batchSize;
        this.encoder = b.encoder;
        this.ops = b.ops != null ? b.ops : Backends.get();
    }

    /**
     * A builder for dictionary D (n_components × n_features, one atom per row; copied at {@link Builder#build}, which
     * refuses a dictionary with a NaN or infinite entry, or one that is all zeros).
     */
    public static Builder builder(Matrix dictionary) {
        return new Builder(dictionary);
    }

    /** Nothing to learn (sklearn's SparseCoder.fit is a no-op too); checks X (its width, finite values). Returns this. */
    public SparseCoder fit(Matrix x) {
        checkX(x);
        return this;
    }

    /** Sklearn's SparseCoder has no partial_fit; here, as fit, a no-op that checks X. Returns this. */
    public SparseCoder partialFit(Matrix x) {
        return fit(x);
    }

    /**
     * The codes Z (n_samples × n_components) of the rows of X (n_samples × n_features; finite values only, else an
     * IllegalArgumentException names the first bad entry). Zero rows give a 0 × n_components matrix.
     */
    public Matrix transform(Matrix x) {
        checkX(x);
        if (x.rows == 0) {
            nIter = 0;
            return new Matrix(0, dictionary.rows);
        }
        switch (algorithm) {
            case THRESHOLD -> {
                nIter = 1;
                return SparseEncode.threshold(ops, x, dictionary, alpha, positive);
            }
            case OMP -> {
                return done(SparseEncode.omp(ops, x, dictionary, nNonzeroCoefs));
            }
            case LASSO_CD -> {
                return done(SparseEncode.lassoCd(ops, x, dictionary, alpha, positive, maxIter, tol));
            }
            case ISTA -> {
                return done(SparseEncode.ista(ops, x, dictionary, alpha, positive, false, istaStep(), maxIter, tol));
            }
            case LISTA -> {
                Matrix out = new Matrix(x.rows, dictionary.rows);
                encoder.encode(ops, x, out);
                nIter = encoder.iterations;
                return out;
            }
            case FISTA -> {
                if (!positive) { // checked by build: β = 0, no encoder
                    return done(SparseEncode.ista(ops, x, dictionary, alpha, false, true, istaStep(), maxIter, tol));
                }
                int b = Math.min(batchSize, x.rows);
                if (b < 2 && varianceReg > 0) {
                    throw new IllegalArgumentException("FISTA with varianceReg > 0 needs at least 2 rows (the variance "
                            + "term uses the std over the batch), got " + x.rows);
                }
                CodeSolver fista = solvers.computeIfAbsent(b, n -> CodeSolver.create(ops, linear(), n, fistaConfig()));
                BatchedFista.Result r = BatchedFista.solve(ops, fista, encoder, x);
                nIter = r.iterations();
                return r.codes();
            }
            default -> throw new AssertionError(algorithm);
        }
    }

    /** sklearn's fit_transform: {@link #fit} then {@link #transform}. */
    public Matrix fitTransform(Matrix x) {
        return fit(x).transform(x);
    }

    /** Z·D (n_samples × n_features); the codes must be finite. */
    public Matrix inverseTransform(Matrix codes) {
        Inputs.notNull("codes", codes);
        if (codes.cols != dictionary.rows) {
            throw new IllegalArgumentException("codes " + codes.shape() + " do not fit the dictionary "
                    + dictionary.shape() + " (need n_samples x " + dictionary.rows + ")");
        }
        Inputs.finite("codes", codes);
        Matrix out = new Matrix(codes.rows, dictionary.cols);
        ops.gemm(1f, codes, dictionary, 0f, out);
        return out;
    }

    /** A copy of the dictionary (n_components × n_features), sklearn's {@code components_}. */
    public Matrix components() {
        return dictionary.copy();
    }

    /**
     * Iterations of the last {@link #transform}: the most FISTA/ISTA iterations or CD sweeps any batch or sample
     * needed, the most atoms OMP selected, the LISTA stages, 1 for THRESHOLD, 0 before any transform.
     */
    public int nIter() {
        return nIter;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The ℓ1 weight in sklearn's units, α = λP/2. */
    public double alpha() {
        return alpha;
    }

    /** The ℓ1 weight in the reference's units, λ = 2α/P. */
    public double sparsityReg() {
        return sparsityReg;
    }

    /** The reference's FISTA config this coder solves with (algorithm FISTA). */
    public FistaConfig fistaConfig() {
        double eta = codeStepSize > 0 ? codeStepSize
                : dictionary.cols / (2 * SparseEncode.lipschitz(gram())); // 1/L, L = (2/P)‖D‖₂²
        if (!(eta > 0) || Double.isInfinite(eta)) { // ‖D‖₂² overflowed (huge atoms); build refuses 0 and NaN
            throw new IllegalArgumentException("the default FISTA step 1/L (L = (2/P)‖D‖₂², from the dictionary "
                    + dictionary.shape() + ") is " + eta + ", not a usable step: scale the dictionary's atoms (e.g. to "
                    + "unit norm) or set codeStepSize(...)");
        }
        return new FistaConfig(sparsityReg, eta, varianceReg, hingeThreshold, codeReg, maxIter, tol, encoder != null,
                false);
    }

    /** η in sklearn's units: the reference's objective is (2/P)× sklearn's, so the same step is 2η/P. */
    private double istaStep() {
        return codeStepSize > 0 ? 2 * codeStepSize / dictionary.cols : 0; // 0: 1/‖D‖₂²
    }

    private Matrix gram() {
        Matrix g = new Matrix(dictionary.rows, dictionary.rows);
        ops.gemmNT(1f, dictionary, dictionary, 0f, g);
        return g;
    }

    private LinearDictionary linear() {
        if (linear == null) {
            linear = new LinearDictionary(dictionary.transpose());
        }
        return linear;
    }

    private Matrix done(SparseEncode.Codes c) {
        nIter = c.iterations();
        return c.codes();
    }

    private void checkX(Matrix x) {
        Inputs.notNull("X", x);
        if (x.cols != dictionary.cols) {
            throw new IllegalArgumentException("X " + x.shape() + " does not fit the dictionary " + dictionary.shape()
                    + " (need n_samples x " + dictionary.cols + ")");
        }
        Inputs.finite("X", x);
    }

    private static boolean allZero(Matrix m) {
        for (float v : m.data) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    /** Parameters of a {@link SparseCoder}; each setter checks its value at once. */
    public static final class Builder {
        private final Matrix dictionary;
        private Algorithm algorithm = Algorithm.FISTA;
        private Double alpha;
        private Double sparsityReg;
        private Integer nNonzeroCoefs;
        private boolean positive = true;
        private Integer maxIter;
        private Double tol;
        private double codeStepSize;
        private double varianceReg;
        private double hingeThreshold = 0.5;
        private double codeReg;
        private int batchSize = 250;
        private ListaEncoder encoder;
        private TensorOps ops;

        private Builder(Matrix dictionary) {
            if (dictionary == null || dictionary.rows < 1 || dictionary.cols < 1) {
                throw new IllegalArgumentException("dictionary = " + (dictionary == null ? "null" : dictionary.shape())
                        + " is invalid: it must be a matrix n_components x n_features with both >= 1");
            }
            this.dictionary = dictionary;
        }

        /** The encoder (default FISTA). */
        public Builder algorithm(Algorithm algorithm) {
            if (algorithm == null) {
                throw new IllegalArgumentException("algorithm = null is invalid: it must be one of "
                        + java.util.Arrays.toString(Algorithm.values()));
            }
            this.algorithm = algorithm;
            return this;
        }

        /** α, the ℓ1 weight in sklearn's units (default 1.0, sklearn's transform_alpha); λ = 2α/P. */
        public Builder alpha(double alpha) {
            this.alpha = nonNegative("alpha", alpha);
            return this;
        }

        /** λ, the ℓ1 weight in the reference's units ({@code sparsity_reg}); α = λP/2. */
        public Builder sparsityReg(double sparsityReg) {
            this.sparsityReg = nonNegative("sparsityReg", sparsityReg);
            return this;
        }

        /** OMP's atoms per sample, in [1, n_components] (default: 10% of n_features, at least 1, as sklearn). */
        public Builder nNonzeroCoefs(int n) {
            if (n < 1 || n > dictionary.rows) {
                throw new IllegalArgumentException("nNonzeroCoefs = " + n + " is invalid: it must be an integer in [1, "
                        + "n_components = " + dictionary.rows + "]");
            }
            this.nNonzeroCoefs = n;
            return this;
        }

        /** Codes ≥ 0 (default true, the reference's --positive_ISTA); not used by OMP and LISTA. */
        public Builder positive(boolean positive) {
            this.positive = positive;
            return this;
        }

        /** Iterations (FISTA's K, n_steps_inf, default 200) or sweeps (ISTA, LASSO_CD; default 1000), ≥ 1. */
        public Builder maxIter(int maxIter) {
            if (maxIter < 1) {
                throw new IllegalArgumentException("maxIter = " + maxIter + " is invalid: it must be an integer >= 1");
            }
            this.maxIter = maxIter;
            return this;
        }

        /** Stopping tolerance ≥ 0: relative code change for FISTA/ISTA (default 1e-3, stop_early), sklearn's
         *  duality-gap tol for LASSO_CD (default 1e-4). */
        public Builder tol(double tol) {
            this.tol = nonNegative("tol", tol);
            return this;
        }

        /** FISTA/ISTA step η > 0 in the reference's units (lrt_Z, a step on its energy); default 1/L of the
         *  smooth part (P / (2‖D‖₂²) without the variance term). */
        public Builder codeStepSize(double eta) {
            if (!(eta > 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("codeStepSize = " + eta + " is invalid: it must be a finite number > 0");
            }
            this.codeStepSize = eta;
            return this;
        }

        /** β ≥ 0, the variance hinge weight (variance_reg; FISTA only, default 0). */
        public Builder varianceReg(double beta) {
            this.varianceReg = nonNegative("varianceReg", beta);
            return this;
        }

        /** T ≥ 0, the hinge threshold on each code's std (hinge_threshold, default 0.5). */
        public Builder hingeThreshold(double t) {
            this.hingeThreshold = nonNegative("hingeThreshold", t);
            return this;
        }

        /** γ ≥ 0, the weight of (1/l)‖z − E(y)‖² (code_reg; FISTA with an encoder only, default 0). */
        public Builder codeReg(double gamma) {
            this.codeReg = nonNegative("codeReg", gamma);
            return this;
        }

        /** B ≥ 1, FISTA's batch (the variance term couples its rows; default 250, the reference's). */
        public Builder batchSize(int b) {
            if (b < 1) {
                throw new IllegalArgumentException("batchSize = " + b + " is invalid: it must be an integer >= 1");
            }
            this.batchSize = b;
            return this;
        }

        /** A trained encoder E (l = n_components, input n_features): LISTA codes, FISTA's Z⁰ and code term. */
        public Builder encoder(ListaEncoder encoder) {
            if (encoder != null && (encoder.codeDim() != dictionary.rows || encoder.inputDim() != dictionary.cols)) {
                throw new IllegalArgumentException("encoder (l=" + encoder.codeDim() + ", P=" + encoder.inputDim()
                        + ") is invalid: it must map n_features = " + dictionary.cols + " to n_components = "
                        + dictionary.rows);
            }
            this.encoder = encoder;
            return this;
        }

        /** The tensor backend (default {@link Backends#get()}). */
        public Builder backend(TensorOps ops) {
            this.ops = ops;
            return this;
        }

        /** Checks the combination and builds. */
        public SparseCoder build() {
            if (alpha != null && sparsityReg != null) {
                throw new IllegalArgumentException("alpha and sparsityReg are the same penalty in two units "
                        + "(alpha = sparsityReg * n_features / 2): set only one");
            }
            boolean fista = algorithm == Algorithm.FISTA;
            if (algorithm == Algorithm.LISTA && encoder == null) {
                throw new IllegalArgumentException("algorithm LISTA needs a trained encoder: set encoder(...)");
            }
            if (!fista && (varianceReg > 0 || codeReg > 0)) {
                throw new IllegalArgumentException("varianceReg and codeReg are terms of the reference's energy: they "
                        + "need algorithm FISTA, got " + algorithm);
            }
            if (codeReg > 0 && encoder == null) {
                throw new IllegalArgumentException("codeReg = " + codeReg + " needs an encoder (the code term is "
                        + "(γ/l)‖z − E(y)‖²): set encoder(...) or codeReg(0)");
            }
            if (fista && !positive && (varianceReg > 0 || encoder != null)) {
                throw new IllegalArgumentException("positive = false with FISTA is only available without the "
                        + "variance term and without an encoder (varianceReg = 0, encoder = null): the reference's "
                        + "solver is non-negative (--positive_ISTA)");
            }
            if (fista && varianceReg > 0 && batchSize < 2) {
                throw new IllegalArgumentException("batchSize = " + batchSize + " is invalid with varianceReg > 0: it "
                        + "must be >= 2 (the variance term uses the std over the batch)");
            }
            return new SparseCoder(this);
        }

        private static double nonNegative(String name, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + " = " + v + " is invalid: it must be a finite number >= 0");
            }
            return v;
        }
    }
}
