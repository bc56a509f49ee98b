package org.varsparse;

import java.util.HashMap;
import java.util.Map;
import org.varsparse.backend.Backends;
import org.varsparse.data.Batches;
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

    public static SparseCodingModel create(TrainConfig config, int inputDim, Metrics.Normalization normalization,
                                           TensorOps ops) {
        return new SparseCodingModel(config, ops, new Trainer(config, ops, inputDim, normalization));
    }

    /** Wraps existing models (their weights are trained in place). */
    public static SparseCodingModel of(TrainConfig config, Decoder decoder, ListaEncoder encoder,
                                       Metrics.Normalization normalization, TensorOps ops) {
        return new SparseCodingModel(config, ops, new Trainer(config, ops, decoder, encoder, normalization));
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

    /** One training step on exactly one batch y (B×P). */
    public Trainer.StepStats fitBatch(Matrix y) {
        return trainer.step(y);
    }

    /**
     * One epoch over all rows of {@code data} (N×P), shuffled by (seed, epoch), in batches of B; the last
     * partial batch is dropped as the reference does.
     */
    public Trainer.EpochStats fitEpoch(Matrix data, int epoch) {
        int[] all = new int[data.rows];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return trainer.trainEpoch(epoch, data, Batches.shuffled(all, config.seed(), epoch), null);
    }

    /** Amortized codes E(y) (N×l) for any N. */
    public Matrix encode(Matrix y) {
        Matrix out = new Matrix(y.rows, config.codeDim());
        trainer.encoder().encode(ops, y, out);
        return out;
    }

    /**
     * FISTA codes (N×l), in batches of B in row order, each started at and anchored to E(y); see
     * {@link BatchedFista} for how rows are batched. With N &lt; B all rows form one batch.
     */
    public Matrix encodeFista(Matrix y) {
        int b = Math.min(config.batchSize(), y.rows);
        if (b < 2 && config.varianceReg() > 0) {
            throw new IllegalArgumentException("encodeFista needs at least 2 rows when varianceReg > 0 (the variance "
                    + "term uses the std over the batch), got " + y.rows);
        }
        CodeSolver fista = solvers.computeIfAbsent(b, n -> CodeSolver.create(ops, trainer.decoder(), n, Trainer.fistaConfig(config)));
        return BatchedFista.solve(ops, fista, trainer.encoder(), y).codes();
    }

    /** Reconstructions D(z) (N×P) for any N. */
    public Matrix decode(Matrix z) {
        Matrix out = new Matrix(z.rows, trainer.decoder().outputDim());
        trainer.decoder().decode(ops, z, out);
        return out;
    }
}
