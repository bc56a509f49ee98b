package org.varsparse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.varsparse.UserError;
import org.varsparse.backend.Backends;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code varsparse eval}: test-set PSNR, sparsity and denoising of a run's checkpoint; writes eval.json. */
@Command(name = "eval", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Evaluate a run's checkpoint on the test set: PSNR, sparsity and denoising; writes eval.json.",
                "The test images in order, batches of B, the last partial batch dropped. PSNR and sparsity of the"
                        + " encoder codes E(y) and of the FISTA codes; denoising: PSNR of y + σ·N(0, I) and of"
                        + " D(E(y + σ·N(0, I))) against the clean y, σ in normalized units. Writes eval.json"
                        + " (eval-last.json for --checkpoint last) in the run folder; one holding results this eval"
                        + " would drop (FISTA codes, other noise levels) is replaced only with --force."})
final class EvalCommand implements Callable<Integer> {
    enum CheckpointName { best, last }

    private final Main.Io io;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder (written by train)")
    Path run;

    @Option(names = "--checkpoint", paramLabel = "NAME", defaultValue = "best",
            description = "best (lowest validation energy) or last (default: ${DEFAULT-VALUE})")
    CheckpointName checkpoint = CheckpointName.best;

    @Option(names = "--noise", paramLabel = "σ", split = ",", defaultValue = "1",
            description = "noise levels for denoising, comma-separated, in normalized units (default: ${DEFAULT-VALUE})")
    double[] noise = {1};

    @Option(names = "--no-fista", description = "skip the FISTA codes (the slow part for NL decoders)")
    boolean noFista;

    @Option(names = "--force", description = "replace eval.json even if it holds results this eval would drop"
            + " (FISTA codes, other noise levels)")
    boolean force;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    BackendOptions backend = new BackendOptions();

    EvalCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        HeapMeter.reset();
        checkNoise(noise);
        RunDir r = RunDir.existing(run);
        Checkpoint.State s = Checkpoint.load(r.checkpoints(), checkpoint.name());
        DataSpec spec = data.ofRun(TrainCommand.dataSpec(r), "eval");
        if (!force) {
            checkKeeps(r.evalJson(checkpoint.name()), noise, !noFista);
        }
        TensorOps ops = backend.create();
        DataSpec.Loaded d = spec.load();
        io.err().println("varsparse eval: " + r.dir + ", checkpoint " + checkpoint + " (epoch " + s.epoch() + "), "
                + d.test().rows + " test images, backend " + Backends.describe(ops));
        evaluate(r, checkpoint.name(), s, d, ops, noise, !noFista, io.out());
        return 0;
    }

    static void checkNoise(double[] sigmas) {
        for (double v : sigmas) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw UserError.of("--noise " + v, "a noise level must be a finite number >= 0",
                        "pass levels like --noise 0.5,1,1.5");
            }
        }
    }

    /**
     * Refuses to replace {@code file} (an earlier eval, e.g. train's) when it holds results the new one would not:
     * FISTA codes, or a noise level not in {@code sigmas}. Rerunning with the same or more settings replaces it
     * freely (the same seeded numbers, or more of them); an unreadable file holds nothing to keep.
     */
    private static void checkKeeps(Path file, double[] sigmas, boolean fista) {
        JsonNode old = earlier(file);
        if (old == null) {
            return;
        }
        List<String> lost = new ArrayList<>(), keep = new ArrayList<>();
        if (!fista && old.path("fista").isObject()) {
            lost.add("the FISTA results");
            keep.add("without --no-fista");
        }
        double[] all = withEarlierLevels(old, sigmas);
        if (all.length > sigmas.length) {
            lost.add("denoising at σ = " + String.join(", ",
                    Arrays.stream(all, sigmas.length, all.length).mapToObj(EvalCommand::number).toList()));
            keep.add("with --noise " + String.join(",", Arrays.stream(all).sorted().mapToObj(EvalCommand::number).toList()));
        }
        if (!lost.isEmpty()) {
            throw UserError.of(file, "holds " + String.join(" and ", lost) + ", which this eval would drop",
                    "run it " + String.join(" and ", keep) + " to keep them, or pass --force to replace the file");
        }
    }

    /**
     * {@code sigmas}, then the noise levels of the eval JSON {@code file} (if readable) that are not among them: what
     * train's final evaluation uses, so that it never drops a level an earlier {@code eval} added to eval.json.
     */
    static double[] withEarlierLevels(Path file, double[] sigmas) {
        JsonNode old = earlier(file);
        return old == null ? sigmas : withEarlierLevels(old, sigmas);
    }

    private static double[] withEarlierLevels(JsonNode old, double[] sigmas) {
        Set<Double> all = new LinkedHashSet<>();
        for (double v : sigmas) {
            all.add(v);
        }
        for (JsonNode d : old.path("denoising")) {
            double v = d.path("sigma").asDouble(Double.NaN);
            if (Double.isFinite(v)) {
                all.add(v);
            }
        }
        return all.size() == sigmas.length ? sigmas : all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** An earlier eval JSON, or null when there is none or it is unreadable (it then holds nothing to keep). */
    private static JsonNode earlier(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            return null;
        }
    }

    private static String number(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** Evaluates checkpoint {@code s}, writes its eval JSON and prints the table. */
    static Evaluation.Result evaluate(RunDir run, String name, Checkpoint.State s, DataSpec.Loaded d, TensorOps ops,
                                      double[] sigmas, boolean fista, PrintStream out) {
        Matrix test = d.test();
        int b = s.config().batchSize();
        if (test.rows < b) {
            throw UserError.of("test set", "holds " + test.rows + " images, fewer than one batch of " + b,
                    "use a test set of at least " + b + " images, or a smaller --batch-size when training");
        }
        long t0 = System.nanoTime();
        Evaluation.Result res = Evaluation.run(s.config(), ops, s.decoder(), s.encoder(), test, d.testMaps(), d.norm(),
                sigmas, fista, s.config().seed());
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoint", name);
        m.put("epoch", s.epoch());
        m.put("preset", s.config().preset());
        m.putAll(res.toMap());
        m.put("noise_seed", s.config().seed());
        m.put("seconds", secs);
        m.put("backend", Backends.describe(ops));
        m.put("versions", Versions.asMap());
        Json.write(run.evalJson(name), m);
        printTable(out, name, s.epoch(), res);
        out.println("wrote " + run.evalJson(name));
        return res;
    }

    static void printTable(PrintStream out, String name, int epoch, Evaluation.Result r) {
        out.printf(Locale.ROOT, "test set: %,d images (batches of %d), checkpoint %s (epoch %d)%n", r.images(),
                r.batchSize(), name, epoch);
        out.printf(Locale.ROOT, "  %-22s %10s %20s%n", "codes", "PSNR (dB)", "sparsity (% zeros)");
        out.printf(Locale.ROOT, "  %-22s %10.2f %20.1f%n", "encoder E(y)", r.encoderPsnr(), 100 * r.encoderSparsity());
        if (r.fista() != null) {
            out.printf(Locale.ROOT, "  %-22s %10.2f %20.1f   (%.1f iterations per batch)%n", "FISTA", r.fista().psnr(),
                    100 * r.fista().sparsity(), r.fista().iterations());
        }
        if (!r.denoising().isEmpty()) {
            out.println("denoising (σ in normalized units; PSNR against the clean image):");
            out.printf(Locale.ROOT, "  %6s %16s %16s %20s%n", "σ", "noisy input", "D(E(y_noisy))", "sparsity (% zeros)");
            for (Evaluation.Denoising d : r.denoising()) {
                out.printf(Locale.ROOT, "  %6.2f %16.2f %16.2f %20.1f%n", d.sigma(), d.psnrNoisyImg(), d.psnrNoisyRec(),
                        100 * d.l0Noisy());
            }
        }
    }
}
