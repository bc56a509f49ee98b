package org.varsparse.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.varsparse.data.Batches;
import org.varsparse.eval.Metrics;
import org.varsparse.inference.Energy;
import org.varsparse.inference.CodeSolver;
import org.varsparse.inference.FistaConfig;
import org.varsparse.inference.FistaResult;
import org.varsparse.model.Adam;
import org.varsparse.model.Decoder;
import org.varsparse.model.DecoderWorkspace;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.ListaEncoder;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * One training run's models, optimizers and workspaces, and the per-batch step of METHOD.md §1.10:
 * <pre>
 *   E  = LISTA(Y)                                   encoder forward, activations kept
 *   Z* = FISTA(Y, D, init = E, ref = E)             decoder frozen
 *   Ŷ  = D(Z*);  L_D = mean((Y − Ŷ)²);  Adam_D      then unit-norm columns for SDL / SDL-NL
 *   L_E = mean((E − Z*)²);  Adam_E
 * </pre>
 * and the end-of-epoch validation on encoder codes (§1.9). Weight decay is coupled L2 on the decoder bias b1
 * and the encoder bias only (§1.8). Not thread-safe: one trainer per thread; its steps write the models' weights in
 * place, so no other thread may use those models (for inference either) while it trains them.
 */
public final class Trainer {
    /** What a divergence of the energy or the decoder loss is blamed on: the FISTA step, or the terms it scales. */
    private static final List<String> INFERENCE_KNOBS = List.of("codeStepSize", "codeReg", "varianceReg");
    /** Weights whose norm grew more than this factor blew up: a divergence is then blamed on their lr; see {@link #growth}. */
    private static final double BLOWN_UP = 2;

    private final TrainConfig config;
    private final TensorOps ops;
    private final Decoder decoder;
    private final ListaEncoder encoder;
    private final FistaConfig fistaConfig;
    private final CodeSolver fista;
    private final DecoderWorkspace decoderWork;
    private final ListaEncoder.Workspace encoderWork;
    private final Adam decoderAdam;
    private final Adam encoderAdam;
    private final Energy energy;
    private final Matrix codes; // (B×l) Z*
    private final Matrix valCodes; // (B×l) E(y) at validation
    private final Matrix valOut; // (B×P) D(E(y)) at validation
    private final Metrics.Normalization normalization;
    private final double decoderNorm0; // ‖decoder weights‖ when this trainer started, for blaming a divergence
    private final double encoderNorm0; // ‖encoder weights‖ likewise
    private Matrix batch; // (B×P) the current training batch, allocated on first use

    /** A fresh run: models initialised from {@code config.seed()} (decoder first, then encoder, as main.py). */
    public Trainer(TrainConfig config, TensorOps ops, int inputDim, Metrics.Normalization normalization) {
        this(config, ops, newDecoder(config, inputDim, new SplittableRandom(config.seed())), normalization);
    }

    private Trainer(TrainConfig config, TensorOps ops, Models models, Metrics.Normalization normalization) {
        this(config, ops, models.decoder, models.encoder, normalization);
    }

    /** Continues training the given models (their arrays are updated in place). */
    public Trainer(TrainConfig config, TensorOps ops, Decoder decoder, ListaEncoder encoder,
                   Metrics.Normalization normalization) {
        if (decoder.codeDim() != config.codeDim() || encoder.codeDim() != config.codeDim()
                || encoder.inputDim() != decoder.outputDim()) {
            throw new IllegalArgumentException("models do not fit the config: decoder l=" + decoder.codeDim() + " P="
                    + decoder.outputDim() + ", encoder l=" + encoder.codeDim() + " P=" + encoder.inputDim()
                    + ", config codeDim=" + config.codeDim());
        }
        int b = config.batchSize();
        this.config = config;
        this.ops = ops;
        this.decoder = decoder;
        this.encoder = encoder;
        this.normalization = normalization;
        this.fistaConfig = fistaConfig(config);
        this.fista = CodeSolver.create(ops, decoder, b, fistaConfig);
        this.decoderWork = decoder.workspace(b);
        this.encoderWork = encoder.workspace(b);
        this.decoderAdam = new Adam(decoderGroups(config, decoderWork.parameters()));
        this.encoderAdam = new Adam(encoderGroups(config, encoderWork.parameters()));
        this.energy = new Energy(b, config.codeDim());
        this.codes = new Matrix(b, config.codeDim());
        this.valCodes = new Matrix(b, config.codeDim());
        this.valOut = new Matrix(b, decoder.outputDim());
        this.decoderNorm0 = norm(decoderWork.parameters());
        this.encoderNorm0 = norm(encoderWork.parameters());
    }

    private record Models(Decoder decoder, ListaEncoder encoder) {
    }

    private static Models newDecoder(TrainConfig c, int inputDim, SplittableRandom rng) {
        Decoder d = switch (c.decoder()) {
            case LINEAR -> LinearDictionary.init(inputDim, c.codeDim(), rng);
            case ONE_HIDDEN -> OneHiddenDecoder.init(inputDim, c.hiddenDim(), c.codeDim(), rng);
        };
        if (c.normDecoder()) {
            d.normalizeColumns(1f); // main.py:287-289: once at initialisation
        }
        ListaEncoder e = ListaEncoder.init(inputDim, c.codeDim(), c.listaIterations(), rng);
        return new Models(d, e);
    }

    /** The FISTA hyperparameters of a training config (encoder initialisation, reference stopping). */
    public static FistaConfig fistaConfig(TrainConfig c) {
        return FistaConfig.of(c.sparsityReg(), c.codeStepSize(), c.varianceReg(), c.hingeThreshold(), c.codeReg(),
                c.maxInferenceSteps(), c.tolerance());
    }

    /** main.py:317-331: NL decoder groups [b1: wd_D_bias], [W1, W2: wd_D]; linear: [W: wd_D]. */
    private static List<Adam.Group> decoderGroups(TrainConfig c, List<Adam.Param> params) {
        List<Adam.Group> groups = new ArrayList<>();
        List<Adam.Param> weights = new ArrayList<>();
        for (Adam.Param p : params) {
            if (p.name().equals("b1")) {
                groups.add(new Adam.Group(c.lrDecoder(), c.weightDecayDecoderBias(), List.of(p)));
            } else {
                weights.add(p);
            }
        }
        groups.add(new Adam.Group(c.lrDecoder(), c.weightDecayDecoder(), weights));
        return groups;
    }

    /** Encoder groups [b: wd_E_bias], [W, S: wd_E]. */
    private static List<Adam.Group> encoderGroups(TrainConfig c, List<Adam.Param> params) {
        List<Adam.Group> groups = new ArrayList<>();
        List<Adam.Param> weights = new ArrayList<>();
        for (Adam.Param p : params) {
            if (p.name().equals("b")) {
                groups.add(new Adam.Group(c.lrEncoder(), c.weightDecayEncoderBias(), List.of(p)));
            } else {
                weights.add(p);
            }
        }
        groups.add(new Adam.Group(c.lrEncoder(), c.weightDecayEncoder(), weights));
        return groups;
    }

    /** What one training batch reports (main.py's training gauges; PSNR and energy use Ŷ before the update). */
    public record StepStats(double decoderLoss, double encoderLoss, double psnr, double sparsity, int fistaIterations,
                            double meanSteps, double energy) {
    }

    /** Means over one epoch's training batches (FISTA codes; PSNR and energy before each update). */
    public record EpochStats(int epoch, int batches, double seconds, double decoderLoss, double encoderLoss,
                             double psnr, double sparsity, double energy, double fistaIterations, double meanSteps) {
    }

    /**
     * Validation on encoder codes (METHOD.md §1.9): energy, PSNR and sparsity are means over the batches. The code
     * statistics watch for collapse: the std of each code component over all validation rows (its mean and minimum
     * over the l components), and the fraction of components that are 0 on every row ("dead" atoms).
     */
    public record ValStats(double energy, double psnr, double sparsity, double codeStdMean, double codeStdMin,
                           double deadCodes) {
    }

    public TrainConfig config() {
        return config;
    }

    public Decoder decoder() {
        return decoder;
    }

    public ListaEncoder encoder() {
        return encoder;
    }

    public Adam decoderOptimizer() {
        return decoderAdam;
    }

    public Adam encoderOptimizer() {
        return encoderAdam;
    }

    /** Sets the decoder learning rate for epoch e (0-based): the VDL-NL ×0.5 every 30 epochs (METHOD.md §1.8). */
    public void setEpoch(int epoch) {
        decoderAdam.setLr(config.lrDecoderAtEpoch(epoch));
    }

    /**
     * One training step on the batch y (B×P): FISTA codes, then one Adam step for the decoder and one for the
     * encoder. Throws {@link DivergenceException} as soon as the energy (which sums over the codes, so a NaN or
     * infinite code shows in it), a loss, or a weight after its Adam step is not finite.
     */
    public StepStats step(Matrix y) {
        return step(y, null);
    }

    /** {@link #step(Matrix)} on LCN patches; {@code maps} (B×P each, may be null) dewhiten them for the PSNR. */
    public StepStats step(Matrix y, Metrics.LcnMaps maps) {
        Matrix e = encoderWork.forward(ops, y); // (B×l), activations kept for the encoder backward
        FistaResult r = fista.solve(y, e, codes);
        Matrix yHat = decoderWork.forward(ops, codes);
        double psnr = Metrics.psnr(y, yHat, maps, normalization);
        double sparsity = Metrics.l0(codes);
        double trainEnergy = energy.evaluate(ops, y, yHat, codes, e, fistaConfig).total();
        double lossD = decoderWork.backward(ops, y);
        check("the training energy", trainEnergy, INFERENCE_KNOBS);
        check("the decoder loss", lossD, INFERENCE_KNOBS);
        decoderAdam.step();
        if (config.normDecoder()) {
            decoder.normalizeColumns(1f);
        }
        checkOptimizer("decoder", decoderAdam, "lrDecoder");
        double lossE = encoderWork.backward(ops, codes);
        check("the encoder loss", lossE, List.of("lrEncoder"));
        encoderAdam.step();
        checkOptimizer("encoder", encoderAdam, "lrEncoder");
        return new StepStats(lossD, lossE, psnr, sparsity, r.iterations(), r.meanSteps(), trainEnergy);
    }

    /**
     * One epoch: the batches of {@code data} (N×P) taken in {@code order} (a permutation of the training rows,
     * e.g. {@code data.Batches.shuffled}), B at a time, the last partial batch dropped. Sets the epoch's
     * decoder learning rate first. {@code onBatch} (may be null) sees each step's stats.
     */
    public EpochStats trainEpoch(int epoch, Matrix data, int[] order, Consumer<StepStats> onBatch) {
        return trainEpoch(epoch, data, null, order, onBatch);
    }

    /** {@link #trainEpoch(int, Matrix, int[], Consumer)} on LCN patches with their maps (N×P each, may be null). */
    public EpochStats trainEpoch(int epoch, Matrix data, Metrics.LcnMaps maps, int[] order, Consumer<StepStats> onBatch) {
        int b = config.batchSize();
        int batches = order.length / b;
        if (batches == 0) {
            throw new IllegalArgumentException("training set of " + order.length + " rows is smaller than one batch of " + b);
        }
        if (data.cols != decoder.outputDim()) {
            throw new IllegalArgumentException("training data " + data.shape() + " has " + data.cols
                    + " pixels per row; the model expects " + decoder.outputDim());
        }
        setEpoch(epoch);
        long t0 = System.nanoTime();
        double lossD = 0, lossE = 0, psnr = 0, l0 = 0, en = 0, iters = 0, steps = 0;
        Metrics.LcnMaps batchMaps = maps == null ? null : Metrics.LcnMaps.allocate(b, data.cols); // (B×P) each
        for (int k = 0; k < batches; k++) {
            Batches.gather(data, order, k, batchBuffer(data.cols));
            StepStats s;
            try {
                s = step(batch, batchMaps == null ? null : maps.gather(order, k, batchMaps));
            } catch (DivergenceException d) {
                throw d.atBatch(epoch, k);
            }
            lossD += s.decoderLoss();
            lossE += s.encoderLoss();
            psnr += s.psnr();
            l0 += s.sparsity();
            en += s.energy();
            iters += s.fistaIterations();
            steps += s.meanSteps();
            if (onBatch != null) {
                onBatch.accept(s);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new EpochStats(epoch, batches, secs, lossD / batches, lossE / batches, psnr / batches, l0 / batches,
                en / batches, iters / batches, steps / batches);
    }

    private Matrix batchBuffer(int cols) {
        if (batch == null) {
            batch = new Matrix(config.batchSize(), cols);
        }
        return batch;
    }

    /** A deep copy of every model weight (for best-epoch selection and checkpoints). */
    public Snapshot snapshot() {
        return new Snapshot(copies(decoderWork.parameters()), copies(encoderWork.parameters()));
    }

    /** Puts the weights of a snapshot back into the models (optimizer state is left alone). */
    public void restore(Snapshot s) {
        paste(s.decoder(), decoderWork.parameters());
        paste(s.encoder(), encoderWork.parameters());
    }

    /** Model weights by parameter name: decoder (W, or W1, b1, W2) and encoder (W, b, S). */
    public record Snapshot(Map<String, float[]> decoder, Map<String, float[]> encoder) {
    }

    private static Map<String, float[]> copies(List<Adam.Param> params) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Adam.Param p : params) {
            m.put(p.name(), p.value().clone());
        }
        return m;
    }

    private static void paste(Map<String, float[]> from, List<Adam.Param> params) {
        for (Adam.Param p : params) {
            float[] v = from.get(p.name());
            if (v == null || v.length != p.value().length) {
                throw new IllegalArgumentException("snapshot has no " + p.name() + " of length " + p.value().length);
            }
            System.arraycopy(v, 0, p.value(), 0, v.length);
        }
    }

    /**
     * Validation energy, PSNR and sparsity of the encoder codes over {@code data} (N×P) in fixed order, batches
     * of B, dropping the last partial batch (main.py:484-579). The γ term is 0 (the codes are their own target).
     * Throws {@link DivergenceException} if the energy is not finite.
     */
    public ValStats validate(Matrix data) {
        return validate(data, null);
    }

    /** {@link #validate(Matrix)} on LCN patches with their maps (N×P each, may be null) for the PSNR. */
    public ValStats validate(Matrix data, Metrics.LcnMaps maps) {
        int b = config.batchSize();
        int batches = data.rows / b;
        if (batches == 0) {
            throw new IllegalArgumentException("validation set of " + data.rows + " rows is smaller than one batch of " + b);
        }
        Matrix y = new Matrix(b, data.cols);
        Metrics.LcnMaps batchMaps = maps == null ? null : Metrics.LcnMaps.allocate(b, data.cols); // (B×P) each
        double sumE = 0, sumPsnr = 0, sumL0 = 0;
        int l = config.codeDim();
        double[] colSum = new double[l], colSq = new double[l]; // (l) per code component, over all rows
        for (int k = 0; k < batches; k++) {
            System.arraycopy(data.data, k * b * data.cols, y.data, 0, b * data.cols);
            encoder.encode(ops, y, valCodes);
            decoder.decode(ops, valCodes, valOut);
            sumE += energy.evaluate(ops, y, valOut, valCodes, null, config.sparsityReg(), config.varianceReg(),
                    config.hingeThreshold(), 0).total();
            sumPsnr += Metrics.psnr(y, valOut, batchMaps == null ? null : maps.rows(k * b, batchMaps), normalization);
            sumL0 += Metrics.l0(valCodes);
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < l; j++) {
                    double z = valCodes.data[i * l + j];
                    colSum[j] += z;
                    colSq[j] += z * z;
                }
            }
        }
        check("the validation energy", sumE, List.of("lrEncoder", "lrDecoder")); // of the encoder's codes
        int n = batches * b;
        double stdSum = 0, stdMin = Double.POSITIVE_INFINITY;
        int dead = 0;
        for (int j = 0; j < l; j++) {
            double mean = colSum[j] / n, std = Math.sqrt(Math.max(0, colSq[j] / n - mean * mean));
            stdSum += std;
            stdMin = Math.min(stdMin, std);
            dead += colSq[j] == 0 ? 1 : 0;
        }
        return new ValStats(sumE / batches, sumPsnr / batches, sumL0 / batches, stdSum / l, stdMin, (double) dead / l);
    }

    private void check(String what, double v, List<String> knobs) {
        if (!Double.isFinite(v)) {
            throw diverged(what, v, knobs);
        }
    }

    /**
     * Checks the weights and moments an Adam step just wrote (O(weights), a small fraction of the step's GEMMs). A
     * non-finite weight is the learning rate's doing; an overflowing moment means a huge gradient, i.e. huge codes.
     */
    private void checkOptimizer(String model, Adam adam, String lr) {
        Adam.NonFinite bad = adam.findNonFinite();
        if (bad != null) {
            throw switch (bad.tensor()) {
                case VALUE -> diverged("the " + model + " weight " + bad.param() + "[" + bad.index() + "]", bad.value(),
                        List.of(lr));
                case EXP_AVG, EXP_AVG_SQ -> diverged("Adam's " + (bad.tensor() == Adam.NonFinite.Tensor.EXP_AVG
                        ? "first" : "second") + " moment of the " + model + " weight " + bad.param() + "["
                        + bad.index() + "] (its gradient overflowed)", bad.value(), INFERENCE_KNOBS);
            };
        }
    }

    /**
     * A divergence of {@code what}, blamed on {@code knobs}, unless a model's weights have blown up since this trainer
     * started: then on that model's learning rate first (see {@link #growth}).
     */
    private DivergenceException diverged(String what, double v, List<String> knobs) {
        double d = growth(decoderWork.parameters(), decoderNorm0), e = growth(encoderWork.parameters(), encoderNorm0);
        List<String> blame = new ArrayList<>();
        if (Math.max(d, e) > BLOWN_UP) {
            blame.add(d >= e ? "lrDecoder" : "lrEncoder");
        }
        for (String k : knobs) {
            if (!blame.contains(k) && blame.size() < (blame.isEmpty() ? knobs.size() : 2)) {
                blame.add(k); // after a blamed learning rate, only the first usual suspect
            }
        }
        return new DivergenceException(what, v, blame);
    }

    /**
     * How many times the weights' norm has grown since this trainer started (infinity if they are not finite).
     * Healthy training changes it by small factors (normalised inputs, codes kept at std ~T), while an Adam step
     * moves every weight by about the learning rate: a decoder lr of 1.5 grows ‖W‖ ~7× in one step, and FISTA,
     * stable for the initial W, overflows at the next.
     */
    private static double growth(List<Adam.Param> params, double norm0) {
        double g = norm(params) / norm0;
        return Double.isNaN(g) ? Double.POSITIVE_INFINITY : g;
    }

    /** The Frobenius norm of all of a model's weights. */
    private static double norm(List<Adam.Param> params) {
        double s = 0;
        for (Adam.Param p : params) {
            for (float v : p.value()) {
                s += (double) v * v;
            }
        }
        return Math.sqrt(s);
    }
}
