package org.varsparse.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.varsparse.SparseCodingModel;
import org.varsparse.UserError;
import org.varsparse.backend.Backends;
import org.varsparse.eval.Metrics;
import org.varsparse.io.FileIo;
import org.varsparse.io.Npy;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code varsparse encode}: the codes of one data split, as a float32 .npy (N×l). */
@Command(name = "encode", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Write the codes of a data split to a .npy file (float32, N×l).",
                "Encoder codes E(y), or FISTA codes with --fista (batches of B started at E(y)). Rows: train and val"
                        + " in the run's seeded split order (the whole training split, whatever --train-limit), test"
                        + " in file order."})
final class EncodeCommand implements Callable<Integer> {
    enum SplitName { train, val, test }

    private final Main.Io io;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder (written by train)")
    Path run;

    @Option(names = "--checkpoint", paramLabel = "NAME", defaultValue = "best",
            description = "best or last (default: ${DEFAULT-VALUE})")
    EvalCommand.CheckpointName checkpoint = EvalCommand.CheckpointName.best;

    @Option(names = "--split", required = true, paramLabel = "SPLIT", description = "train, val or test")
    SplitName split;

    @Option(names = "--fista", description = "FISTA codes instead of the encoder's")
    boolean fista;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the .npy file to write")
    Path out;

    @Option(names = "--force", description = "overwrite --out if it exists")
    boolean force;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    BackendOptions backend = new BackendOptions();

    EncodeCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        if (Files.isDirectory(out)) {
            throw UserError.of(out, "is a folder", "pass --out a file name such as codes.npy");
        }
        OutputGuard.checkOverwrite(out, force);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw UserError.of(out, "its folder " + parent + " does not exist", "create the folder, or pass another --out");
        }
        RunDir r = RunDir.existing(run);
        Checkpoint.State s = Checkpoint.load(r.checkpoints(), checkpoint.name());
        DataSpec spec = data.ofRun(TrainCommand.dataSpec(r), "encode");
        TensorOps ops = backend.create();
        DataSpec.Loaded d = spec.load();
        Matrix y = DataSpec.rows(d, split.name());
        io.err().printf(Locale.ROOT, "varsparse encode: %s codes of %,d %s images, checkpoint %s (epoch %d), backend %s%n",
                fista ? "FISTA" : "encoder", y.rows, split, checkpoint, s.epoch(), Backends.describe(ops));
        SparseCodingModel model = SparseCodingModel.of(s.config(), s.decoder(), s.encoder(),
                d.norm(), ops);
        if (fista && y.rows < 2 && s.config().varianceReg() > 0) {
            throw UserError.of("--split " + split, "holds fewer than 2 images; FISTA's variance term needs 2",
                    "encode without --fista, or use a larger split");
        }
        Matrix codes = fista ? model.encodeFista(y) : model.encode(y);
        try {
            Npy.writeMatrix(out, codes);
        } catch (IOException e) {
            throw FileIo.writeFailure(out, e);
        }
        io.out().printf(Locale.ROOT, "wrote %s: %d×%d float32, %.1f %% zeros%n", out, codes.rows, codes.cols,
                100 * Metrics.l0(codes));
        return 0;
    }
}
