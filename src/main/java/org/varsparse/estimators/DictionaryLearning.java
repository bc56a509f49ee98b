package org.varsparse.estimators;

import java.nio.file.Path;
import org.varsparse.SparseCodingModel;
import org.varsparse.backend.Backends;
import org.varsparse.cli.Checkpoint;
import org.varsparse.eval.Metrics;
import org.varsparse.model.Adam;
import org.varsparse.model.LinearDictionary;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

/**
 * Learns a dictionary (and the reference's LISTA encoder) from data, shaped like scikit-learn's
 * {@code DictionaryLearning} / {@code MiniBatchDictionaryLearning}: {@link #fit}, {@link #partialFit},
 * {@link #transform}, {@link #inverseTransform}, {@link #components()}, {@link #nIter()}. It wraps the reference's
 * trainer ({@link org.varsparse.train.Trainer}), which is a mini-batch learner by nature, so one class serves both: {@code fit} runs
 * {@code epochs} shuffled passes, {@code partialFit} one in-order pass over the batches it is given.
 *
 * <p>Each batch of B rows Y (B × P) is coded by FISTA on the reference's energy (Evtimova &amp; LeCun 2022, its
 * units):
 * <pre>
 *   Σ_i (1/P)‖y_i − D(z_i)‖² + λ‖z_i‖₁ + β Σ_j [T − σ_j(Z)]₊² + (γ/l)‖z_i − E(y_i)‖²,     z ≥ 0
 * </pre>
 * started at the encoder's guess E(y); then D takes one Adam step on the reconstruction MSE and E one on
 * ‖E(y) − z‖². σ_j is the unbiased std of code j over the batch, so <b>variance regularization</b> (VDL) is the
 * option {@code varianceReg} β &gt; 0 with hinge T; with β = 0 the atoms are kept at unit norm instead
 * ({@code normDecoder}, SDL). λ relates to scikit-learn's α in ½‖y − zD‖² + α‖z‖₁ as α = λP/2.
 *
 * <p>Parameters are the {@link TrainConfig} fields, named after the reference's flags ({@code sparsityReg} ↔
 * {@code sparsity_reg}, …; README table); each setter checks its value at once with a message naming the
 * parameter and its allowed range. Data is n_samples × n_features, codes n_samples × n_components, and
 * {@link #components()} n_components × n_features (scikit-learn's layouts). Not thread-safe.
 *
 * <pre>{@code
 * DictionaryLearning dl = DictionaryLearning.builder(32).varianceReg(10).epochs(5).batchSize(100).build();
 * Matrix codes = dl.fit(x).transform(x);
 * Matrix approx = dl.inverseTransform(codes);
 * }</pre>
 */
public final class DictionaryLearning {
    /** Data is taken as is: PSNR in the training stats is computed on the values given. */
    private static final Metrics.Normalization IDENTITY = new Metrics.Normalization(0f, 1f);
    private final TrainConfig config;
    private final SparseCoder.Algorithm transformAlgorithm;
    private final TensorOps ops;
    private SparseCodingModel model; // null before the first fit
    private int epochs; // completed epochs (fit) — sklearn's n_iter_
    private long steps; // mini-batch steps, fit and partialFit — sklearn's n_steps_

    private DictionaryLearning(TrainConfig config, SparseCoder.Algorithm transformAlgorithm, TensorOps ops) {
        this.config = config;
        this.transformAlgorithm = transformAlgorithm;
        this.ops = ops;
    }

    /** Starts from the {@code mnist-vdl} preset (linear dictionary, β = 10, λ = 0.02, γ = 5) with l = nComponents. */
    public static Builder builder(int nComponents) {
        return new Builder(Preset.MNIST_VDL.config()).set("codeDim", nComponents);
    }

    /** Starts from a preset's values (and its code dimension). */
    public static Builder builder(Preset preset) {
        if (preset == null) {
            throw new IllegalArgumentException("preset is null: pass one of " + java.util.Arrays.toString(Preset.values()));
        }
        return new Builder(preset.config());
    }

    /** Starts from a full config. */
    public static Builder builder(TrainConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config is null: pass a TrainConfig, e.g. Preset.MNIST_VDL.config()");
        }
        return new Builder(config);
    }

    public TrainConfig config() {
        return config;
    }

    /**
     * Learns from scratch (models initialised from the seed): {@code epochs} passes over the rows of X
     * (n_samples × n_features, n_samples ≥ batchSize), each shuffled by (seed, epoch), in batches of B (the last
     * partial batch dropped, as the reference). X must be finite. Returns this. If it throws (bad X, or a
     * {@link org.varsparse.train.DivergenceException}), the estimator is left as it was before the call.
     */
    public DictionaryLearning fit(Matrix x) {
        checkX("fit", x);
        if (x.rows < config.batchSize()) {
            throw new IllegalArgumentException("fit: X has " + x.rows + " rows, fewer than batchSize = "
                    + config.batchSize() + "; lower batchSize (>= 2) or give more rows");
        }
        SparseCodingModel fresh = SparseCodingModel.create(config, x.cols, IDENTITY, ops);
        long freshSteps = 0;
        for (int e = 0; e < config.epochs(); e++) {
            freshSteps += fresh.fitEpoch(x, e).batches();
        }
        model = fresh;
        epochs = config.epochs();
        steps = freshSteps;
        return this;
    }

    /**
     * One more pass over X in row order, one training step per batch of B rows; n_samples must be a positive
     * multiple of batchSize, and X finite. Initialises the models from the seed on first use. Returns this. If it
     * throws (bad X, or a {@link org.varsparse.train.DivergenceException} at some batch), the estimator is left as
     * it was before the call: weights, optimizer state and {@link #nSteps()} (a first call leaves it unfitted).
     */
    public DictionaryLearning partialFit(Matrix x) {
        checkX("partialFit", x);
        if (x.rows == 0 || x.rows % config.batchSize() != 0) {
            throw new IllegalArgumentException("partialFit: X has " + x.rows + " rows; n_samples must be a positive "
                    + "multiple of batchSize = " + config.batchSize());
        }
        if (model != null) {
            checkWidth(x);
        }
        SparseCodingModel m = model != null ? model : SparseCodingModel.create(config, x.cols, IDENTITY, ops);
        Trainer t = m.trainer();
        Trainer.Snapshot weights = model != null ? t.snapshot() : null;
        Adam.State decoderAdam = model != null ? t.decoderOptimizer().exportState() : null;
        Adam.State encoderAdam = model != null ? t.encoderOptimizer().exportState() : null;
        int b = config.batchSize();
        int done = 0;
        try {
            for (int start = 0; start < x.rows; start += b) {
                m.fitBatch(x.rowSlice(start, start + b));
                done++;
            }
        } catch (RuntimeException e) {
            if (weights != null) { // a new model is simply dropped
                t.restore(weights);
                t.decoderOptimizer().importState(decoderAdam);
                t.encoderOptimizer().importState(encoderAdam);
            }
            throw e;
        }
        model = m;
        steps += done;
        return this;
    }

    /** sklearn's fit_transform: {@link #fit} then {@link #transform}. */
    public Matrix fitTransform(Matrix x) {
        return fit(x).transform(x);
    }

    /**
     * Codes of the rows of X (n_samples × n_components) by the transform algorithm: FISTA (default; the
     * training energy, started at and anchored to E(y), in batches of B), LISTA (E(y) alone), or any other
     * {@link SparseCoder.Algorithm} on {@link #components()} (linear dictionary only, SparseCoder's defaults).
     * X must be finite (a NaN would spread to the codes of its whole FISTA batch); zero rows give 0 × n_components.
     */
    public Matrix transform(Matrix x) {
        fitted();
        checkX("transform", x);
        checkWidth(x);
        return switch (transformAlgorithm) {
            case FISTA -> model.encodeFista(x);
            case LISTA -> model.encode(x);
            default -> SparseCoder.builder(components()).algorithm(transformAlgorithm).sparsityReg(config.sparsityReg())
                    .backend(ops).build().transform(x);
        };
    }

    /** D(Z) (n_samples × n_features): Z·components() for the linear dictionary; the codes must be finite. */
    public Matrix inverseTransform(Matrix codes) {
        fitted();
        Inputs.notNull("codes", codes);
        if (codes.cols != config.codeDim()) {
            throw new IllegalArgumentException("codes " + codes.shape() + " do not fit the model (need n_samples x "
                    + config.codeDim() + ")");
        }
        Inputs.finite("codes", codes);
        return model.decode(codes);
    }

    /** The atoms (n_components × n_features): Wᵀ of the linear dictionary; sklearn's {@code components_}. */
    public Matrix components() {
        fitted();
        if (!(model.decoder() instanceof LinearDictionary lin)) {
            throw new IllegalStateException("components() needs decoder LINEAR; the one-hidden-layer decoder has no "
                    + "dictionary of atoms (use inverseTransform)");
        }
        return lin.W.transpose();
    }

    /**
     * A SparseCoder on the learned dictionary and encoder (algorithm FISTA: the reference's λ, β, T, γ, η, K). Needs
     * decoder LINEAR (a dictionary of atoms); with ONE_HIDDEN it throws IllegalStateException (use {@link #transform}:
     * FISTA solves through the non-linear decoder).
     */
    public SparseCoder sparseCoder() {
        fitted();
        if (!(model.decoder() instanceof LinearDictionary)) {
            throw new IllegalStateException("sparseCoder() needs decoder LINEAR (a dictionary of atoms); this model's "
                    + "decoder is " + config.decoder() + ": use transform(X) for its FISTA or LISTA codes");
        }
        return SparseCoder.builder(components()).algorithm(SparseCoder.Algorithm.FISTA)
                .sparsityReg(config.sparsityReg()).varianceReg(config.varianceReg())
                .hingeThreshold(config.hingeThreshold()).codeReg(config.codeReg()).codeStepSize(config.codeStepSize())
                .maxIter(Math.max(1, config.maxInferenceSteps())).tol(config.tolerance()).batchSize(config.batchSize())
                .encoder(model.encoder()).backend(ops).build();
    }

    /** Epochs completed by {@link #fit} (sklearn's {@code n_iter_}); partialFit passes do not count. */
    public int nIter() {
        return epochs;
    }

    /**
     * Mini-batch steps taken by fit and partialFit (sklearn's {@code n_steps_}); after {@link #load}, the steps
     * recorded in the checkpoint (its optimizer's step count) plus those taken since.
     */
    public long nSteps() {
        return steps;
    }

    /** The trained models (decoder, encoder, trainer), or null before fitting. */
    public SparseCodingModel model() {
        return model;
    }

    /**
     * Writes the model as a checkpoint folder {@code dir} (model.safetensors, optimizer.safetensors,
     * checkpoint.json; the CLI's format, see README "The run folder"), replacing an existing one atomically. The
     * folder's parent must exist.
     */
    public void save(Path dir) {
        fitted();
        Path abs = checkDir(dir);
        Checkpoint.save(abs.getParent(), abs.getFileName().toString(),
                Checkpoint.of(model.trainer(), epochs, Double.NaN, Double.NaN, 0, ops.name()));
    }

    /**
     * Reads a folder written by {@link #save} (or a CLI checkpoint); training can continue (optimizer state too).
     * {@code transformAlgorithm} and {@code ops} are checked as by {@link Builder#build} (a null {@code ops} is the
     * default backend; an algorithm other than FISTA or LISTA needs a checkpoint with decoder LINEAR).
     */
    public static DictionaryLearning load(Path dir, SparseCoder.Algorithm transformAlgorithm, TensorOps ops) {
        Path abs = checkDir(dir);
        Checkpoint.State s = Checkpoint.load(abs.getParent(), abs.getFileName().toString());
        DictionaryLearning dl = builder(s.config()).transformAlgorithm(transformAlgorithm).backend(ops).build();
        dl.model = SparseCodingModel.of(s.config(), s.decoder(), s.encoder(), IDENTITY, dl.ops);
        dl.model.trainer().decoderOptimizer().importState(s.decoderAdam());
        dl.model.trainer().encoderOptimizer().importState(s.encoderAdam());
        dl.epochs = s.epoch();
        dl.steps = s.decoderAdam().params().stream().mapToLong(Adam.ParamState::step).max().orElse(0);
        return dl;
    }

    /** {@link #load(Path, SparseCoder.Algorithm, TensorOps)} with FISTA transforms on the default backend. */
    public static DictionaryLearning load(Path dir) {
        return load(dir, SparseCoder.Algorithm.FISTA, Backends.get());
    }

    private void fitted() {
        if (model == null) {
            throw new IllegalStateException("this DictionaryLearning is not fitted yet: call fit or partialFit first");
        }
    }

    /** X non-null, with features, finite. */
    private static void checkX(String method, Matrix x) {
        if (x == null) {
            throw new IllegalArgumentException(method + ": X is null: pass a matrix n_samples x n_features");
        }
        if (x.cols == 0) {
            throw new IllegalArgumentException(method + ": X " + x.shape() + " has no features: it must be n_samples x "
                    + "n_features with n_features >= 1");
        }
        Inputs.finite("X", x);
    }

    /** The checkpoint folder, absolute; it must have a name and a parent folder. */
    private static Path checkDir(Path dir) {
        if (dir == null) {
            throw new IllegalArgumentException("dir is null: pass the checkpoint folder, e.g. Path.of(\"model\")");
        }
        Path abs = dir.toAbsolutePath();
        if (abs.getParent() == null || abs.getFileName() == null) {
            throw new IllegalArgumentException("dir = " + dir + " is invalid: it must name a checkpoint folder inside "
                    + "another folder (e.g. runs/model), not a filesystem root");
        }
        return abs;
    }

    private void checkWidth(Matrix x) {
        int p = model.decoder().outputDim();
        if (x.cols != p) {
            throw new IllegalArgumentException("X " + x.shape() + " does not fit the model (need n_samples x " + p + ")");
        }
    }

    /**
     * Parameters of a {@link DictionaryLearning}: the {@link TrainConfig} fields, each checked when set (the
     * message names the field and its allowed range), in any order.
     */
    public static final class Builder {
        /**
         * The hidden width {@link #decoder decoder(ONE_HIDDEN)} takes when none was set: 1024, the MNIST NL presets'
         * (the patch NL presets use 2048).
         */
        public static final int DEFAULT_HIDDEN_DIM = 1024;
        private TrainConfig config;
        private SparseCoder.Algorithm transformAlgorithm = SparseCoder.Algorithm.FISTA;
        private TensorOps ops;

        private Builder(TrainConfig config) {
            this.config = config;
        }

        /**
         * Any TrainConfig field by its Java name, e.g. {@code set("lrDecoder", 1e-3)}; {@code value} a boxed value or a
         * String. An int or long field takes a whole number only, exactly (16.7, 1e12 for an int, 3000000000L for an
         * int are refused, not rounded or wrapped). {@code set("decoder", ONE_HIDDEN)} works as {@link #decoder}.
         */
        public Builder set(String field, Object value) {
            Object exact = exactInteger(field, value);
            if ("decoder".equals(field) && config.hiddenDim() < 1) { // see decoder(kind)
                TrainConfig withWidth = config.with("hiddenDim", DEFAULT_HIDDEN_DIM).with(field, exact);
                config = withWidth.decoder() == TrainConfig.DecoderKind.ONE_HIDDEN ? withWidth : config.with(field, exact);
            } else {
                config = config.with(field, exact);
            }
            return this;
        }

        /** A Number for an int or long field, as that type exactly; anything else unchanged (TrainConfig parses it). */
        private static Object exactInteger(String field, Object value) {
            if (!(value instanceof Number n)) {
                return value;
            }
            Class<?> type = null;
            for (var c : TrainConfig.class.getRecordComponents()) {
                if (c.getName().equals(field)) {
                    type = c.getType();
                }
            }
            if (type != int.class && type != long.class) {
                return value;
            }
            try {
                java.math.BigDecimal d = n instanceof Double || n instanceof Float
                        ? new java.math.BigDecimal(n.doubleValue()) // NumberFormatException for NaN and ±Infinity
                        : new java.math.BigDecimal(n.toString());
                long v = d.longValueExact(); // ArithmeticException for a fraction or beyond long
                return type == int.class ? (Object) Math.toIntExact(v) : (Object) v;
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException(field + " = " + value + " is invalid: it must be an integer (a whole "
                        + "number from " + (type == int.class ? Integer.MIN_VALUE + " to " + Integer.MAX_VALUE
                        : Long.MIN_VALUE + " to " + Long.MAX_VALUE) + "; it is never rounded or wrapped)");
            }
        }

        /** l, the number of atoms (codeDim), ≥ 1. */
        public Builder nComponents(int l) {
            return set("codeDim", l);
        }

        /**
         * LINEAR (a dictionary) or ONE_HIDDEN (the NL decoder, of width {@link #hiddenDim}: if none was set, it
         * becomes {@link #DEFAULT_HIDDEN_DIM}; set it before or after this call).
         */
        public Builder decoder(TrainConfig.DecoderKind kind) {
            if (kind == null) {
                throw new IllegalArgumentException("decoder = null is invalid: it must be one of "
                        + java.util.Arrays.toString(TrainConfig.DecoderKind.values()));
            }
            return set("decoder", kind);
        }

        /** The hidden width ≥ 1 of the ONE_HIDDEN decoder (unused by LINEAR). */
        public Builder hiddenDim(int h) {
            if (h < 1) {
                throw new IllegalArgumentException("hiddenDim = " + h + " is invalid: it must be an integer >= 1 (the "
                        + "width of the one-hidden-layer decoder)");
            }
            return set("hiddenDim", h);
        }

        /** λ ≥ 0 (sparsity_reg); sklearn's α = λP/2. */
        public Builder sparsityReg(double lambda) {
            return set("sparsityReg", lambda);
        }

        /** β ≥ 0 (variance_reg): the variance hinge; 0 turns variance regularization off. */
        public Builder varianceReg(double beta) {
            return set("varianceReg", beta);
        }

        /** T ≥ 0 (hinge_threshold). */
        public Builder hingeThreshold(double t) {
            return set("hingeThreshold", t);
        }

        /** γ ≥ 0 (code_reg). */
        public Builder codeReg(double gamma) {
            return set("codeReg", gamma);
        }

        /** η &gt; 0 (lrt_Z), FISTA's step. */
        public Builder codeStepSize(double eta) {
            return set("codeStepSize", eta);
        }

        /** K ≥ 0 (n_steps_inf). */
        public Builder maxInferenceSteps(int k) {
            return set("maxInferenceSteps", k);
        }

        /** FISTA's relative-change tolerance ≥ 0 (stop_early). */
        public Builder tolerance(double tol) {
            return set("tolerance", tol);
        }

        /** Passes over the data in {@link #fit} (sklearn's max_iter), ≥ 0. */
        public Builder epochs(int n) {
            return set("epochs", n);
        }

        /** B ≥ 2 (the variance term needs an unbiased std over the batch). */
        public Builder batchSize(int b) {
            return set("batchSize", b);
        }

        /** Adam learning rates &gt; 0 of the decoder (lrt_D) and the encoder (lrt_E). */
        public Builder learningRates(double decoder, double encoder) {
            return set("lrDecoder", decoder).set("lrEncoder", encoder);
        }

        /** Unit-norm atoms after every step (norm_decoder; the SDL presets). */
        public Builder normDecoder(boolean on) {
            return set("normDecoder", on);
        }

        public Builder seed(long seed) {
            return set("seed", seed);
        }

        /** How {@link #transform} codes (default FISTA). */
        public Builder transformAlgorithm(SparseCoder.Algorithm a) {
            if (a == null) {
                throw new IllegalArgumentException("transformAlgorithm = null is invalid: it must be one of "
                        + java.util.Arrays.toString(SparseCoder.Algorithm.values()));
            }
            this.transformAlgorithm = a;
            return this;
        }

        /** The tensor backend (default {@link Backends#get()}). */
        public Builder backend(TensorOps ops) {
            this.ops = ops;
            return this;
        }

        public DictionaryLearning build() {
            if (transformAlgorithm != SparseCoder.Algorithm.FISTA && transformAlgorithm != SparseCoder.Algorithm.LISTA
                    && config.decoder() != TrainConfig.DecoderKind.LINEAR) {
                throw new IllegalArgumentException("transformAlgorithm = " + transformAlgorithm + " needs decoder LINEAR"
                        + " (a dictionary of atoms); with " + config.decoder() + " use FISTA or LISTA");
            }
            return new DictionaryLearning(config, transformAlgorithm, ops != null ? ops : Backends.get());
        }
    }
}
