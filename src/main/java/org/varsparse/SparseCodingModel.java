package org.varsparse;

import java.util.HashMap;
import java.util.Map;
import org.varsparse.backend.Backends;
import org.varsparse.data.Batches;
import org.varsparse.estimators.Inputs;
import org.varsparse.eval.Metrics;
import org.varsparse.inference.BatchedFista;
import org.varsparse.inference.CodeSolver;
import org.varsparse.model.Decoder;
import org.varsparse.model.ListaEncoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.Trainer;
import org.varsparse.train.TrainConfig;

/**
 * The library entry point: a decoder D, a LISTA encoder E and their trainer, for one {@link TrainConfig}.
 *
 * <p>Inference minimises, per batch of B rows (METHOD.md §1.2, the reference's units):
 * <pre>
 *   Σ_i (1/P)‖y_i − D(z_i)‖² + λ Σ_i ‖z_i‖₁ + β Σ_j max(0, T − σ_j(Z))² + γ Σ_i (1/l)‖z_i − E(y_i)‖²,   Z ≥ 0
 * </pre>
 * with FISTA started at E(y), σ_j the unbiased standard deviation of code component j over the batch.
 * Training alternates that inference with one Adam step on the decoder (reconstruction MSE) and one on the
 * encoder (regression onto the FISTA codes).
 *
 * <pre>{@code
 * TrainConfig cfg = Preset.MNIST_VDL.config().with("epochs", 5);
 * SparseCodingModel m = SparseCodingModel.create(cfg, 784, Metrics.Normalization.MNIST);
 * for (int e = 0; e < cfg.epochs(); e++) m.fitEpoch(train, e);     // train: N×784
 * Matrix codes = m.encode(test);          // amortized: E(y)
 * Matrix fista = m.encodeFista(test);     // FISTA codes
 * Matrix recon = m.decode(codes);         // D(z)
 * }</pre>
 * Thread safety: an instance is not thread-safe (it owns reusable workspaces: the trainer's and a FISTA solver per
 * batch size), but several instances may share one model's weights and one backend. For inference from several
 * threads, give each thread its own instance over the same decoder and encoder:
 * <pre>{@code
 * SparseCodingModel mine = SparseCodingModel.of(cfg, shared.decoder(), shared.encoder(), norm, ops); // per thread
 * Matrix codes = mine.encode(y);  Matrix fista = mine.encodeFista(y);   // same bits as from one thread
 * }</pre>
 * {@link #encode}, {@link #encodeFista} and {@link #decode} only read the weights; {@link #fitBatch} and
 * {@link #fitEpoch} write them in place, so no instance over those weights may run meanwhile. Every
 * {@link TensorOps} backend may be shared (see its class doc).
 */
public final class SparseCodingModel {
    private final TrainConfig config;
    private final TensorOps ops;
    private final Trainer trainer;
    private final Map<Integer, CodeSolver> solvers = new HashMap<>(); // per batch size

    private SparseCodingModel(TrainConfig config, TensorOps ops, Trainer trainer) {
        this.config = config;
        this.ops = ops;
        this.trainer = trainer;
    }

    /** New models initialised from {@code config.seed()} as the reference does, on the default backend. */
    public static SparseCodingModel create(TrainConfig config, int inputDim, Metrics.Normalization normalization) {
        return create(config, inputDim, normalization, Backends.get());
    }

    /**
     * New models for rows of {@code inputDim} ≥ 1 features, initialised from {@code config.seed()}; every argument
     * non-null ({@code normalization} only scales the PSNR in the training stats: {@code new
     * Metrics.Normalization(0f, 1f)} takes the data as is).
     */
    public static SparseCodingModel create(TrainConfig config, int inputDim, Metrics.Normalization normalization,
                                           TensorOps ops) {
        checkArgs(config, normalization, ops);
        if (inputDim < 1) {
            throw new IllegalArgumentException("inputDim = " + inputDim + " is invalid: it must be an integer >= 1 "
                    + "(the number of features per row of the data)");
        }
        return new SparseCodingModel(config, ops, new Trainer(config, ops, inputDim, normalization));
    }

    /** Wraps existing models (their weights are trained in place); every argument non-null. */
    public static SparseCodingModel of(TrainConfig config, Decoder decoder, ListaEncoder encoder,
                                       Metrics.Normalization normalization, TensorOps ops) {
        checkArgs(config, normalization, ops);
        notNull("decoder", decoder, "pass the trained decoder (e.g. another model's decoder())");
        notNull("encoder", encoder, "pass the trained encoder (e.g. another model's encoder())");
        return new SparseCodingModel(config, ops, new Trainer(config, ops, decoder, encoder, normalization));
    }

    private static void checkArgs(TrainConfig config, Metrics.Normalization normalization, TensorOps ops) {
        notNull("config", config, "pass a TrainConfig, e.g. Preset.MNIST_VDL.config()");
        notNull("normalization", normalization, "pass new Metrics.Normalization(0f, 1f) for data taken as is");
        notNull("ops", ops, "pass Backends.get() for the default backend");
    }

    private static void notNull(String name, Object value, String fix) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null: " + fix);
        }
    }

    public TrainConfig config() {
        return config;
    }

    public Decoder decoder() {
        return trainer.decoder();
    }

    public ListaEncoder encoder() {
        return trainer.encoder();
    }

    /** The trainer (optimizer state, snapshots, validation). */
    public Trainer trainer() {
        return trainer;
    }

    /** One training step on exactly one batch y (B×P, finite values). */
    public Trainer.StepStats fitBatch(Matrix y) {
        checkY(y);
        return trainer.step(y);
    }

    /**
     * One epoch over all rows of {@code data} (N×P), shuffled by (seed, epoch), in batches of B; the last
     * partial batch is dropped as the reference does.
     */
    public Trainer.EpochStats fitEpoch(Matrix data, int epoch) {
        Inputs.finite("data", data);
        int[] all = new int[data.rows];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return trainer.trainEpoch(epoch, data, Batches.shuffled(all, config.seed(), epoch), null);
    }

    /** Amortized codes E(y) (N×l) for any N; y (N×P) must be finite. */
    public Matrix encode(Matrix y) {
        checkY(y);
        Matrix out = new Matrix(y.rows, config.codeDim());
        trainer.encoder().encode(ops, y, out);
        return out;
    }

    /**
     * FISTA codes (N×l), in batches of B in row order, each started at and anchored to E(y); see
     * {@link BatchedFista} for how rows are batched. With N &lt; B all rows form one batch; N = 0 gives 0×l. y (N×P)
     * must be finite: a NaN would spread to the codes of its whole batch.
     */
    public Matrix encodeFista(Matrix y) {
        checkY(y);
        if (y.rows == 0) {
            return new Matrix(0, config.codeDim());
        }
        int b = Math.min(config.batchSize(), y.rows);
        if (b < 2 && config.varianceReg() > 0) {
            throw new IllegalArgumentException("encodeFista needs at least 2 rows when varianceReg > 0 (the variance "
                    + "term uses the std over the batch), got " + y.rows);
        }
        CodeSolver fista = solvers.computeIfAbsent(b, n -> CodeSolver.create(ops, trainer.decoder(), n, Trainer.fistaConfig(config)));
        return BatchedFista.solve(ops, fista, trainer.encoder(), y).codes();
    }

    /** Reconstructions D(z) (N×P) for any N; z (N×l) must be finite. */
    public Matrix decode(Matrix z) {
        Inputs.notNull("z", z);
        if (z.cols != config.codeDim()) {
            throw new IllegalArgumentException("z " + z.shape() + " does not fit the model (need N x l = N x "
                    + config.codeDim() + ")");
        }
        Inputs.finite("z", z);
        Matrix out = new Matrix(z.rows, trainer.decoder().outputDim());
        trainer.decoder().decode(ops, z, out);
        return out;
    }

    private void checkY(Matrix y) {
        Inputs.notNull("y", y);
        int p = trainer.decoder().outputDim();
        if (y.cols != p) {
            throw new IllegalArgumentException("y " + y.shape() + " does not fit the model (need N x P = N x " + p + ")");
        }
        Inputs.finite("y", y);
    }
}
