package org.varsparse.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.varsparse.UserError;
import org.varsparse.backend.Backends;
import org.varsparse.data.Batches;
import org.varsparse.data.MnistDataset;
import org.varsparse.eval.Metrics;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.DivergenceException;
import org.varsparse.train.MemoryEstimate;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code varsparse train}: trains a preset on MNIST (or on LCN patches of photos with {@code --photos}), one
 * checkpoint per epoch, then evaluates the best one.
 *
 * <p>Per epoch (METHOD.md §1.9–1.10): the training rows shuffled by (seed, epoch), batches of B with FISTA
 * codes and one Adam step each for decoder and encoder; validation on the held-out images with encoder codes;
 * one line in metrics.jsonl; checkpoint {@code last}, and {@code best} when the validation energy is strictly
 * lower than at every earlier epoch. {@code --resume} continues from {@code last} and gives the same numbers
 * as an uninterrupted run (the epoch order depends only on seed and epoch).
 */
@Command(name = "train", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Train a sparse coding model (LISTA encoder + decoder) on MNIST or, with --photos, on LCN patches of photos; then evaluate the best epoch.",
                "Hyperparameter options override the preset; each names the reference's flag (ref --...) and the"
                        + " paper's symbol. Writes a run folder: run.json, metrics.jsonl, checkpoints/{last,best},"
                        + " eval.json."},
        footer = {"", "Presets: mnist-sdl, mnist-sdl-nl, mnist-vdl, mnist-vdl-nl; patch-sdl, patch-sdl-nl, patch-vdl,"
                + " patch-vdl-nl with --photos DIR (LCN patches of natural images, METHOD §3.4)."})
final class TrainCommand implements Callable<Integer> {
    /** The run.json field set when a run completed: its epochs, the final evaluation and the pictures. */
    static final String FINISHED = "finished";
    /** The size options that set the memory a run needs, as TrainConfig fields. */
    private static final List<String> SIZES = List.of("codeDim", "hiddenDim", "batchSize");

    private final Main.Io io;

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "mnist-vdl",
            description = "the reference configuration to start from (default: ${DEFAULT-VALUE})")
    String preset = "mnist-vdl";

    @Mixin
    HyperparameterOptions hyper = new HyperparameterOptions();

    @Option(names = "--out", paramLabel = "DIR",
            description = "run folder, new or empty (default: runs/<preset>-<date>-<time>); with --resume, the run to continue")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out from its last checkpoint (only --epochs, --backend, --threads and --noise may change; data and hyperparameter options must match the run)")
    boolean resume;

    @Option(names = "--train-limit", paramLabel = "N", description = "train on the first N images of the training split only")
    Integer trainLimit;

    @Option(names = "--noise", paramLabel = "σ", split = ",", defaultValue = "1",
            description = "noise levels of the final denoising evaluation (default: ${DEFAULT-VALUE})")
    double[] noise = {1};

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    BackendOptions backend = new BackendOptions();

    TrainCommand(Main.Io io) {
        this.io = io;
    }

    /** Where a train command starts: a new run folder, or the last checkpoint of an existing run. */
    private record Plan(Path runPath, RunDir existing, Checkpoint.State from, TrainConfig config, DataSpec data) {
    }

    @Override
    public Integer call() {
        HeapMeter.reset();
        ParseResult parsed = spec.commandLine().getParseResult();
        EvalCommand.checkNoise(noise);
        Plan plan = resume ? planResume(parsed) : planNew(parsed);
        TrainConfig config = plan.config();

        TensorOps ops = backend.create(); // before the data: option errors first, then the slow part
        String backendName = Backends.describe(ops);
        DataSpec spec = plan.data();
        // the data's size is known before reading it, except for a slice of MNIST: the check runs again after
        checkMemory(config, parsed, spec.isPatches() ? 3L * (spec.patches() + 2L * spec.valSize()) // patches, LCN maps
                : spec.anySize() ? 0 : MnistDataset.TRAIN_POOL + MnistDataset.N_TEST + spec.valSize(), ops.threads());
        DataSpec.Loaded d = spec.load();
        checkMemory(config, parsed, dataRows(d), ops.threads());
        int b = config.batchSize();
        requireBatch(d.trainRows().length, b, "training images (after --train-limit)", "--train-limit");
        requireBatch(d.val().rows, b, "validation images", "--val-size");
        requireBatch(d.test().rows, b, "test images", d.spec().isPatches() ? "--val-size" : "--mnist-dir");

        RunDir run = plan.from() != null ? plan.existing() : RunDir.createNew(plan.runPath());
        try {
            Trainer trainer;
            if (plan.from() != null) {
                trainer = Checkpoint.trainer(plan.from(), config, ops, Checkpoint.locate(run.checkpoints(), "last"),
                        d.norm());
                Checkpoint.removeStale(run.checkpoints()); // left by a killed save
                run.truncateMetrics(plan.from().epoch());
            } else {
                trainer = new Trainer(config, ops, d.pool().cols, d.norm());
            }
            int start = plan.from() == null ? 0 : plan.from().epoch();
            writeRunJson(run, config, plan.data(), backendName, parsed, start);
            printHeader(run, config, start, d, backendName);
            trainEpochs(run, trainer, d, start, plan.from(), backendName);
        } catch (RuntimeException | Error e) {
            if (plan.from() == null && !Checkpoint.exists(run.checkpoints(), "last")) {
                // stopped before its first checkpoint (diverged, disk full, ...): nothing to resume, and a run folder
                // holding only run.json would make the same --out refuse the next attempt
                run.discardNew();
            }
            throw e;
        }

        Checkpoint.State best = Checkpoint.load(run.checkpoints(), "best", "evaluate the other checkpoint with"
                + " varsparse eval --run " + run.dir + " --checkpoint last, or train anew into another --out");
        double[] sigmas = EvalCommand.withEarlierLevels(run.evalJson("best"), noise); // keeps an earlier eval's levels
        Evaluation.Result res = EvalCommand.evaluate(run, "best", best, d, ops, sigmas, true, io.out());
        List<String> pictures = picturesOf(run, best, d, ops, noise);
        summary(run, config, best.epoch(), res, pictures);
        ObjectNode done = (ObjectNode) run.readRunJson();
        done.put(FINISHED, Instant.now().toString()); // the last write: a run without it is resumable
        Json.write(run.runJson(), done);
        return 0;
    }

    /**
     * The checks a new run makes of its options before it reads data or creates anything (noise levels, preset, data
     * options, hyperparameters, --out), without running: {@code sweep} checks each point's options with it.
     */
    void checkNewRun() {
        EvalCommand.checkNoise(noise);
        planNew(spec.commandLine().getParseResult());
    }

    private Plan planNew(ParseResult parsed) {
        Preset p;
        try {
            p = Preset.byName(preset);
        } catch (IllegalArgumentException e) {
            throw UserError.of("--preset " + preset, "no such preset", "pass one of " + Preset.names());
        }
        DataSpec spec = data.resolve(trainLimit);
        if (!p.cliName.startsWith("mnist-") && !spec.isPatches()) {
            throw UserError.of("--preset " + preset, "is tuned for LCN patches of natural images",
                    "pass --photos DIR (a folder of PNG/JPEG photos), or use an MNIST preset");
        }
        TrainConfig config = HyperparameterOptions.forNewRun(p.config(), hyper.given(parsed));
        Path runPath = out != null ? out : defaultOut(p);
        RunDir.checkNew(runPath); // before the data is read, so that a bad --out fails at once
        return new Plan(runPath, null, null, config, spec);
    }

    private Plan planResume(ParseResult parsed) {
        if (out == null) {
            throw UserError.of("--resume", "needs the run to continue", "pass its folder with --out DIR");
        }
        RunDir run = RunDir.existing(out);
        if (!Checkpoint.exists(run.checkpoints(), "last")) {
            throw UserError.of(out, Files.exists(run.checkpoints())
                            ? "has no checkpoints/last to resume from (it was removed or never saved)"
                            : "has no checkpoint: the run stopped before its first epoch ended",
                    "train anew into another --out (or delete this folder first)");
        }
        Checkpoint.State from = Checkpoint.load(run.checkpoints(), "last", Checkpoint.FIX_RESUME);
        TrainConfig config = resumedConfig(from.config(), hyper.given(parsed), parsed);
        DataSpec dataSpec = data.resumed(dataSpec(run), trainLimit); // the same data, or a user error
        // all epochs trained but no "finished" mark: stopped in the final evaluation, which the resume then does
        boolean unfinished = from.epoch() == config.epochs() && !run.readRunJson().has(FINISHED);
        if (from.epoch() >= config.epochs() && !unfinished) {
            throw UserError.of(out, "has already trained " + from.epoch() + " of " + config.epochs() + " epochs",
                    "pass --epochs N with N > " + from.epoch() + " to train further, or evaluate it with varsparse eval");
        }
        return new Plan(out, run, from, config, dataSpec);
    }

    private void printHeader(RunDir run, TrainConfig config, int start, DataSpec.Loaded d, String backendName) {
        var o = io.out();
        o.printf(Locale.ROOT, "varsparse train: %s, %d epochs%s, run %s%n", config.preset(), config.epochs(),
                start > 0 ? " (resuming after epoch " + start + ")" : "", run.dir);
        o.println("  data: " + d.describe());
        o.println("  backend: " + backendName + ", max heap " + HeapMeter.mib(HeapMeter.maxBytes()));
        o.print(wrap("  hyperparameters: ", config.asMap().toString().replaceAll("^\\{|}$", ""), 110));
        o.printf(Locale.ROOT, "%7s %9s %10s %9s %9s %11s %9s %8s %5s%n", "epoch", "seconds", "train PSNR",
                "train L0%", "FISTA it", "val energy", "val PSNR", "val L0%", "best");
    }

    /**
     * Epochs {@code start} .. epochs−1 (0-based; logged 1-based): train, validate, checkpoint best (strictly lower
     * validation energy than every earlier epoch, METHOD §1.9) and last, then one line in metrics.jsonl.
     */
    private void trainEpochs(RunDir run, Trainer trainer, DataSpec.Loaded d, int start, Checkpoint.State from,
                             String backendName) {
        TrainConfig config = trainer.config();
        int bestEpoch = from == null ? 0 : from.bestEpoch();
        double best = bestEpoch > 0 ? from.bestValEnergy() : Double.POSITIVE_INFINITY;
        int batches = d.trainRows().length / config.batchSize();
        for (int e = start; e < config.epochs(); e++) {
            long t0 = System.nanoTime();
            int[] order = Batches.shuffled(d.trainRows(), config.seed(), e);
            Trainer.EpochStats st;
            Trainer.ValStats v;
            try {
                try (Progress pr = Progress.start(io.err(), "epoch " + (e + 1) + "/" + config.epochs(), batches)) {
                    st = trainer.trainEpoch(e, d.pool(), d.poolMaps(), order, s -> pr.step(String.format(Locale.ROOT,
                            "PSNR %.2f dB, L0 %.1f%%, FISTA %d it", s.psnr(), 100 * s.sparsity(), s.fistaIterations())));
                }
                try {
                    v = trainer.validate(d.val(), d.valMaps());
                } catch (DivergenceException x) {
                    throw x.inValidation(e);
                }
            } catch (DivergenceException x) {
                throw diverged(x, config, run, e);
            }
            int epoch = e + 1;
            boolean isBest = v.energy() < best; // strictly lower; NaN never is
            if (isBest) {
                best = v.energy();
                bestEpoch = epoch;
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            // The log line first, then the checkpoints: a crash between the two leaves a line for an epoch that
            // --resume redoes (it keeps the lines up to last's epoch); the other order could lose the line of an
            // epoch that was saved.
            run.appendMetrics(Json.line(metricsLine(epoch, secs, st, v, trainer.decoder().codeColumnNorms(), config, isBest)));
            Checkpoint.State s = Checkpoint.of(trainer, epoch, v.energy(), best, bestEpoch, backendName);
            if (isBest) {
                Checkpoint.save(run.checkpoints(), "best", s);
            }
            Checkpoint.save(run.checkpoints(), "last", s);
            io.out().printf(Locale.ROOT, "%7s %9.1f %10.2f %9.1f %9.1f %11.5f %9.2f %8.1f %5s%n",
                    epoch + "/" + config.epochs(), secs, st.psnr(), 100 * st.sparsity(), st.fistaIterations(),
                    v.energy(), v.psnr(), 100 * v.sparsity(), isBest ? "*" : "");
            io.out().flush(); // a log file (block-buffered stdout) shows each epoch as it ends, even if the run is killed
        }
    }

    /**
     * A divergence in the command line's terms: the input at fault is the first hyperparameter to lower (as its
     * option, with its value); the checkpoints of the epochs before {@code epoch} (0-based) are intact, and
     * --resume would only repeat the same steps, so the fix is a new run.
     */
    private static UserError diverged(DivergenceException x, TrainConfig config, RunDir run, int epoch) {
        Map<String, Object> values = config.asMap();
        List<String> knobs = x.hyperparameters().stream()
                .map(h -> HyperparameterOptions.optionName(h) + " (now " + values.get(h) + ")").toList();
        String lower = knobs.size() == 1 ? knobs.get(0)
                : String.join(", ", knobs.subList(0, knobs.size() - 1)) + " or " + knobs.get(knobs.size() - 1);
        String first = x.hyperparameters().get(0);
        String kept = epoch == 0 ? "" : "; " + run.checkpoints() + " keeps epoch " + epoch + " (last)"
                + " and the best before it";
        return UserError.of(HyperparameterOptions.optionName(first) + " " + values.get(first), x.problem(),
                "lower " + lower + " and train anew" + kept, x);
    }

    /** The checkpoint's config; --epochs may change, other hyperparameters must match (or be left out). */
    private TrainConfig resumedConfig(TrainConfig saved, Map<String, Object> given, ParseResult parsed) {
        if (parsed.hasMatchedOption("--preset") && !saved.preset().equals(preset.trim().toLowerCase(Locale.ROOT))) {
            throw UserError.of("--preset " + preset, "the run was trained with preset " + saved.preset(),
                    "leave --preset out when resuming");
        }
        HyperparameterOptions.requireEpochs(given);
        Map<String, Object> savedMap = saved.asMap();
        if (!given.containsKey("decoder")) { // else the decoder itself is refused below
            Map<String, Object> changed = new LinkedHashMap<>(given); // a value the run recorded is no change:
            changed.entrySet().removeIf(g -> Objects.equals(  // older linear runs recorded --hidden-dim
                    HyperparameterOptions.applyOptions(saved, Map.of(g.getKey(), g.getValue())).asMap().get(g.getKey()),
                    savedMap.get(g.getKey())));
            HyperparameterOptions.requireNlDecoder(saved, changed, true);
        }
        for (Map.Entry<String, Object> g : given.entrySet()) {
            if (g.getKey().equals("epochs")) {
                continue;
            }
            TrainConfig changed = HyperparameterOptions.applyOptions(saved, Map.of(g.getKey(), g.getValue()));
            if (!Objects.equals(changed.asMap().get(g.getKey()), savedMap.get(g.getKey()))) {
                throw UserError.of(HyperparameterOptions.optionName(g.getKey()) + " " + g.getValue(),
                        "the run was trained with " + savedMap.get(g.getKey()) + " and a resumed run keeps its hyperparameters",
                        "leave it out when resuming (only --epochs may change), or start a new run");
            }
        }
        return given.containsKey("epochs")
                ? HyperparameterOptions.applyOptions(saved, Map.of("epochs", given.get("epochs"))) : saved;
    }

    /**
     * Refuses a run whose estimated heap ({@link MemoryEstimate}) exceeds what this JVM may use, or with an array over
     * Java's limit, before anything of that size is allocated. The input named is the size option given on the
     * command line whose halving saves the most, else the heap itself.
     */
    private void checkMemory(TrainConfig config, ParseResult parsed, long dataRows, int threads) {
        MemoryEstimate m = MemoryEstimate.of(config, MnistDataset.PIXELS, dataRows, threads);
        long max = HeapMeter.maxBytes();
        boolean tooBig = m.totalBytes() > max;
        if (!tooBig && m.arraysFit()) {
            return;
        }
        String culprit = null;
        long saved = 0;
        for (String f : SIZES) {
            int v = (int) config.asMap().get(f);
            if (parsed.hasMatchedOption(HyperparameterOptions.optionName(f)) && v > 2) {
                long s = m.totalBytes() - MemoryEstimate.of(config.with(f, v / 2), MnistDataset.PIXELS, dataRows, threads)
                        .totalBytes();
                if (s > saved) {
                    culprit = f;
                    saved = s;
                }
            }
        }
        String where = culprit == null ? "the Java heap (" + HeapMeter.mib(max) + ")"
                : HyperparameterOptions.optionName(culprit) + " " + config.asMap().get(culprit);
        String lower = culprit == null ? "use a smaller --code-dim, --hidden-dim or --batch-size"
                : "lower " + HyperparameterOptions.optionName(culprit);
        if (tooBig) {
            long want = m.totalBytes() * 5 / 4; // the live set, and room for the collector to work in
            long ram = HeapMeter.physicalBytes();
            String heap = "give Java more heap, e.g. VARSPARSE_JAVA_OPTS=-Xmx" + ((want >> 28) + 1) * 256 + "m ./run.sh train ...";
            String fix = want > ram ? lower + " (this machine has " + MemoryEstimate.bytes(ram) + " of memory)"
                    : culprit == null ? heap : lower + ", or " + heap;
            throw UserError.of(where, "training needs about " + MemoryEstimate.bytes(m.totalBytes()) + " of Java heap ("
                    + m.describe() + ") but this JVM may use " + MemoryEstimate.bytes(max), fix);
        }
        throw UserError.of(where, String.format(Locale.ROOT, "%s would hold %,d floats, over Java's array limit of %,d",
                m.largest(), m.largestSize(), MemoryEstimate.MAX_ARRAY), lower);
    }

    /** Rows of P floats the loaded data keeps: training pool, validation and test sets, and their LCN maps. */
    private static long dataRows(DataSpec.Loaded d) {
        long rows = (long) d.pool().rows + d.val().rows + d.test().rows;
        return d.poolMaps() == null ? rows : 3 * rows;
    }

    private static void requireBatch(int n, int b, String what, String option) {
        if (n < b) {
            throw UserError.of(option, "leaves " + n + " " + what + ", fewer than one batch of " + b,
                    "give it at least " + b + ", or lower --batch-size");
        }
    }

    private static Path defaultOut(Preset p) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path base = Path.of("runs", p.cliName + "-" + stamp);
        Path dir = base;
        for (int i = 2; Files.exists(dir); i++) {
            dir = Path.of(base + "-" + i);
        }
        return dir;
    }

    /** The data a run was trained on, from its run.json. */
    static DataSpec dataSpec(RunDir run) {
        JsonNode j = run.readRunJson();
        JsonNode data = Json.field(j, "data", run.runJson(), "pass the folder of a run written by 'varsparse train'");
        try {
            return Json.MAPPER.treeToValue(data, DataSpec.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw UserError.of(run.runJson(), "its \"data\" entry is invalid (" + e.getMessage() + ")",
                    "restore run.json (its \"data\" entry records what the run was trained on; --mnist-dir and"
                            + " --data-dir cannot stand in for it)", e);
        }
    }

    private static void writeRunJson(RunDir run, TrainConfig config, DataSpec data, String backendName,
                                     ParseResult parsed, int start) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> history = new ArrayList<>();
        if (start > 0) {
            JsonNode old = run.readRunJson();
            m.put("created", old.path("created").asText());
            old.path("commands").forEach(history::add);
        } else {
            m.put("created", Instant.now().toString());
        }
        history.add(Map.of("args", parsed.originalArgs(), "at", Instant.now().toString(), "from_epoch", start));
        m.put("format", "varsparse-run");
        m.put("preset", config.preset());
        m.put("hyperparameters", config.asMap());
        m.put("data", data);
        m.put("split_seed", MnistDataset.DEFAULT_SPLIT_SEED);
        m.put("backend", backendName);
        m.put("max_heap_bytes", HeapMeter.maxBytes());
        m.put("versions", Versions.asMap());
        m.put("commands", history);
        Json.write(run.runJson(), m);
    }

    /** One metrics.jsonl line; {@code norms} (l) are the decoder's {@link org.varsparse.model.Decoder#codeColumnNorms}. */
    private static Map<String, Object> metricsLine(int epoch, double secs, Trainer.EpochStats st, Trainer.ValStats v,
                                                   double[] norms, TrainConfig config, boolean best) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("seconds", secs);
        m.put("train_seconds", st.seconds());
        m.put("train_loss_decoder", Json.num(st.decoderLoss()));
        m.put("train_loss_encoder", Json.num(st.encoderLoss()));
        m.put("train_psnr", Json.num(st.psnr()));
        m.put("train_sparsity", Json.num(st.sparsity()));
        m.put("train_energy", Json.num(st.energy()));
        m.put("train_fista_iterations", Json.num(st.fistaIterations()));
        m.put("train_inference_steps", Json.num(st.meanSteps()));
        m.put("val_energy", Json.num(v.energy()));
        m.put("val_psnr", Json.num(v.psnr()));
        m.put("val_sparsity", Json.num(v.sparsity()));
        m.put("val_code_std_mean", Json.num(v.codeStdMean()));
        m.put("val_code_std_min", Json.num(v.codeStdMin()));
        m.put("val_dead_codes", Json.num(v.deadCodes()));
        m.put("decoder_col_norm_mean", Json.num(Arrays.stream(norms).average().orElse(Double.NaN)));
        m.put("decoder_col_norm_max", Json.num(Arrays.stream(norms).max().orElse(Double.NaN)));
        m.put("lr_decoder", config.lrDecoderAtEpoch(epoch - 1));
        m.put("lr_encoder", config.lrEncoder());
        m.put("best", best);
        m.put("heap_peak_bytes", HeapMeter.peakBytes());
        return m;
    }

    /**
     * The pictures of the best checkpoint: the first 32 test images, noisy at each σ (seeded as eval: the first
     * draws of its stream); {@code denoising.png} is the first σ, {@code denoising-sigma<σ>.png} each one.
     */
    private static List<String> picturesOf(RunDir run, Checkpoint.State s, DataSpec.Loaded d, TensorOps ops,
                                           double[] noise) {
        Matrix test = d.test();
        int n = Math.min(32, test.rows);
        Matrix inputs = test.rowSlice(0, n);
        Matrix codes = new Matrix(n, s.config().codeDim());
        Matrix recon = new Matrix(n, test.cols);
        s.encoder().encode(ops, inputs, codes);
        s.decoder().decode(ops, codes, recon);
        // in normalized units; LCN patches dewhitened with the clean patch's maps (eval_denoising.py)
        Metrics.LcnMaps m = d.testMaps() == null ? null : d.testMaps().rows(0, Metrics.LcnMaps.allocate(n, test.cols));
        Matrix[] noisy = new Matrix[noise.length], denoised = new Matrix[noise.length];
        for (int k = 0; k < noise.length; k++) {
            float sigma = (float) noise[k];
            SplittableRandom rng = new SplittableRandom(s.config().seed());
            noisy[k] = inputs.copy();
            for (int i = 0; i < noisy[k].data.length; i++) {
                noisy[k].data[i] += sigma * (float) rng.nextGaussian();
            }
            denoised[k] = new Matrix(n, test.cols);
            s.encoder().encode(ops, noisy[k], codes);
            s.decoder().decode(ops, codes, denoised[k]);
            if (m != null) {
                noisy[k] = m.dewhiten(noisy[k]);
                denoised[k] = m.dewhiten(denoised[k]);
            }
        }
        Matrix shown = m == null ? inputs : m.dewhiten(inputs);
        String title = String.format(Locale.ROOT, "%s, %s", s.config().preset(), run.dir.getFileName());
        List<String> names = new ArrayList<>(Pictures.write(run, title, s.decoder(), shown,
                m == null ? recon : m.dewhiten(recon), noisy[0], denoised[0], run.readMetrics(), d.norm()));
        for (int k = 0; k < noise.length; k++) {
            String name = "denoising-sigma" + fmt(noise[k]) + ".png";
            Pictures.triples(run.pictures().resolve(name), shown, noisy[k], denoised[k], d.norm());
            names.add(name);
        }
        return names;
    }

    private void summary(RunDir run, TrainConfig config, int bestEpoch, Evaluation.Result r, List<String> pictures) {
        List<JsonNode> epochs = run.readMetrics();
        double secs = epochs.stream().mapToDouble(n -> n.path("seconds").asDouble()).average().orElse(Double.NaN);
        var o = io.out();
        o.println();
        o.printf(Locale.ROOT, "== summary: %s (%s, %d epochs, best epoch %d)%n", run.dir, config.preset(),
                config.epochs(), bestEpoch);
        o.printf(Locale.ROOT, "  %-40s %s%n", "test PSNR, encoder codes D(E(y))", String.format(Locale.ROOT, "%.2f dB", r.encoderPsnr()));
        o.printf(Locale.ROOT, "  %-40s %s%n", "test sparsity, encoder codes", String.format(Locale.ROOT, "%.1f %% zeros", 100 * r.encoderSparsity()));
        if (r.fista() != null) {
            o.printf(Locale.ROOT, "  %-40s %.2f dB, %.1f %% zeros%n", "test PSNR and sparsity, FISTA codes", r.fista().psnr(),
                    100 * r.fista().sparsity());
        }
        for (Evaluation.Denoising dn : r.denoising()) {
            o.printf(Locale.ROOT, "  %-40s %.2f dB -> %.2f dB%n",
                    String.format(Locale.ROOT, "denoising σ = %s: noisy input -> D(E(y))", fmt(dn.sigma())),
                    dn.psnrNoisyImg(), dn.psnrNoisyRec());
        }
        o.printf(Locale.ROOT, "  %-40s %.1f (train + validation, mean of %d)%n", "seconds per epoch", secs, epochs.size());
        o.printf(Locale.ROOT, "  %-40s %s%n", "peak heap (sum of pool peaks)", HeapMeter.describePeak());
        o.printf(Locale.ROOT, "  %-40s %s%n", "pictures", run.pictures() + "/{" + String.join(", ", pictures) + "}");
        o.printf(Locale.ROOT, "  %-40s %s%n", "files", run.dir + "/{run.json, metrics.jsonl, eval.json, checkpoints/best, checkpoints/last}");
    }

    /** {@code text} (comma-separated) after {@code head}, wrapped at commas to lines of at most {@code width}. */
    static String wrap(String head, String text, int width) {
        StringBuilder out = new StringBuilder(head);
        int col = head.length();
        String indent = " ".repeat(head.length());
        String[] parts = text.split(", ");
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i] + (i < parts.length - 1 ? "," : "");
            if (col > head.length() && col + 1 + p.length() > width) {
                out.append('\n').append(indent);
                col = indent.length();
            } else if (col > head.length()) {
                out.append(' ');
                col++;
            }
            out.append(p);
            col += p.length();
        }
        return out.append('\n').toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
