package org.varsparse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.varsparse.UserError;
import org.varsparse.data.MnistFiles;
import org.varsparse.io.FileIo;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.Unmatched;

/**
 * {@code varsparse sweep}: the paper's PSNR-vs-sparsity curves (Fig. 2/4): each preset trained at λ = factor ×
 * its λ, one {@code train} run each (reduced epochs unless {@code --full}), then the test PSNR and sparsity of the
 * encoder codes from each run's eval.json, as sweep.csv and one plot. The sweep's options are kept in sweep.json,
 * so {@code --resume} can finish an interrupted sweep: finished points are read back, an interrupted point continues
 * with {@code train --resume}, the rest are trained.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Train each preset over a λ grid and plot test PSNR vs sparsity (encoder codes).",
                "Options not listed here go to every train run (data, --code-dim, --backend, ...) and are checked"
                        + " before the sweep starts; each run's --preset, --sparsity-reg and --out are the sweep's."})
final class SweepCommand implements Callable<Integer> {
    private final Main.Io io;

    @Option(names = "--presets", paramLabel = "P", split = ",", defaultValue = "mnist-sdl,mnist-sdl-nl,mnist-vdl,mnist-vdl-nl",
            description = "presets (default: ${DEFAULT-VALUE})")
    List<String> presets;

    @Option(names = "--factors", paramLabel = "F", split = ",", defaultValue = "0.25,0.5,1,2,4",
            description = "multiples of each preset's λ (--sparsity-reg) (default: ${DEFAULT-VALUE})")
    double[] factors;

    // 2 epochs: the default MNIST sweep (4 presets × 5 factors) took 11.6 min on 2 AVX-512 cores, so it stays
    // within half an hour on a 2-core machine with half their speed; mnist-sdl-nl is 3/4 of it (docs/RESULTS.md).
    @Option(names = "--epochs", paramLabel = "E", defaultValue = "2",
            description = "epochs per run (default: ${DEFAULT-VALUE}; the reference trains 200 / 100, see --full)")
    int epochs;

    @Option(names = "--full", description = "each preset's own epoch count (the full protocol; days on a CPU)")
    boolean full;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "sweep folder, new or empty; one run folder per point")
    Path out;

    @Option(names = "--resume", description = "finish the interrupted sweep in --out with its own options (from sweep.json): "
            + "finished points are kept, an interrupted one continues from its last checkpoint")
    boolean resume;

    @Spec
    CommandSpec spec;

    private static final String SWEEP_JSON = "sweep.json";

    @Unmatched
    List<String> trainArgs = new ArrayList<>();

    SweepCommand(Main.Io io) {
        this.io = io;
    }

    /**
     * One trained point: preset, λ factor and λ, the encoder codes' and the FISTA codes' test PSNR and sparsity
     * (fraction), and the wall-clock seconds of its train run (training and evaluation).
     */
    record Point(String preset, double factor, double lambda, double psnr, double sparsity, double fistaPsnr,
                 double fistaSparsity, double seconds, String run) {
    }

    @Override
    public Integer call() {
        ParseResult parsed = spec.commandLine().getParseResult();
        refuseRepeated(parsed);
        if (resume) {
            loadOptions();
        }
        if (full && parsed.hasMatchedOption("--epochs")) {
            throw UserError.of("--epochs " + epochs, "--full trains each preset for its own epoch count",
                    "leave out --epochs, or --full");
        }
        List<Preset> ps = new ArrayList<>();
        for (String p : presets) {
            Preset preset;
            try {
                preset = Preset.byName(p);
            } catch (IllegalArgumentException e) {
                throw UserError.of("--presets " + p, "no such preset", "pass some of " + Preset.names());
            }
            if (ps.contains(preset)) {
                if (!resume) {
                    throw UserError.of("--presets " + String.join(",", presets), preset.cliName + " is given twice,"
                            + " and each point is trained once", "pass each preset once");
                }
                continue; // a sweep.json of an older varsparse: its points were trained once, into one folder
            }
            ps.add(preset);
        }
        List<Double> fs = new ArrayList<>();
        for (double f : factors) {
            if (!(f > 0) || Double.isInfinite(f)) {
                throw UserError.of("--factors " + f, "a factor must be a finite number > 0", "pass factors like 0.5,1,2");
            }
            if (fs.contains(f)) { // 1 and 1.0 too: the same λ, the same run folder
                if (!resume) {
                    throw UserError.of("--factors " + String.join(",", parsed.matchedOption("--factors")
                            .originalStringValues()), "factor " + fmt(f) + " is given twice, and each"
                            + " point is trained once", "pass each factor once");
                }
                continue; // as for presets
            }
            fs.add(f);
        }
        factors = fs.stream().mapToDouble(Double::doubleValue).toArray();
        if (!full && epochs < 1) {
            throw UserError.of("--epochs " + epochs, "nothing to train", "pass --epochs 1 or more");
        }
        checkTrainOptions(ps);
        Map<String, Double> oldSeconds = resume ? secondsOf(out.resolve("sweep.csv")) : Map.of();
        RunDir created = null; // a new sweep's folder, removed again if its first point fails
        boolean existed = Files.isDirectory(out);
        if (!resume) {
            checkNewSweep();
            created = RunDir.createNew(out);
            Map<String, Object> opts = new LinkedHashMap<>();
            opts.put("presets", presets);
            opts.put("factors", factors);
            opts.put("epochs", epochs);
            opts.put("full", full);
            opts.put("train_args", trainArgs);
            opts.put("versions", Versions.asMap());
            Json.write(out.resolve(SWEEP_JSON), opts);
        }
        List<Point> points = new ArrayList<>();
        long start = System.nanoTime();
        for (Preset p : ps) {
            for (double f : factors) {
                double lambda = p.config().sparsityReg() * f;
                String name = String.format(Locale.ROOT, "%s-x%s", p.cliName, fmt(f));
                Path runDir = out.resolve(name);
                List<String> args = new ArrayList<>(List.of("train"));
                args.addAll(pointArgs(p, lambda, runDir));
                long t0 = System.nanoTime();
                boolean finished = resume && finished(runDir);
                if (finished) {
                    io.err().printf(Locale.ROOT, "sweep: %s, λ = %s (×%s): finished before, kept%n", p.cliName,
                            fmt(lambda), fmt(f));
                } else {
                    boolean cont = resume && Checkpoint.exists(runDir.resolve("checkpoints"), "last");
                    if (resume && !cont && Files.exists(runDir)) {
                        try { // stopped before its first checkpoint: nothing in it to keep
                            FileIo.deleteTree(runDir);
                        } catch (IOException e) {
                            throw FileIo.writeFailure(runDir, e);
                        }
                    }
                    if (cont) {
                        args.add(1, "--resume"); // the same options: train --resume accepts them when they match
                    }
                    io.err().printf(Locale.ROOT, "sweep: %s, λ = %s (×%s)%s%n", p.cliName, fmt(lambda), fmt(f),
                            cont ? ": continuing from its last checkpoint" : "");
                    Path log = out.resolve(name + ".log");
                    int rc = trainQuietly(args, log, cont);
                    if (rc != 0) {
                        String why = lastError(log);
                        String failed = " failed " + (why == null ? "with status " + rc : "(" + why + ")");
                        if (created != null && points.isEmpty() && rc == UserError.EXIT_CODE
                                && !Checkpoint.exists(runDir.resolve("checkpoints"), "last")) {
                            // nothing trained, its error quoted: a folder left with only sweep.json and the log
                            // would make the same --out refuse the corrected sweep, and --resume reuse the fault
                            created.discardNew();
                            throw UserError.of(out, "train " + name + ", the sweep's first point," + failed
                                    + "; nothing was trained, so the sweep folder was "
                                    + (existed ? "emptied" : "removed"),
                                    "correct what train names and run the sweep again; the same --out works");
                        }
                        throw UserError.of(log, "train " + name + failed, "if an option passed to train is at fault,"
                                + " start a new sweep with it corrected in another --out (--resume would reuse it); else"
                                + " remove the cause and rerun with --resume --out " + out + " (finished points are kept)");
                    }
                }
                JsonNode ev = Json.read(runDir.resolve("eval.json"), "rerun the sweep with --resume");
                Point pt = new Point(p.cliName, f, lambda, ev.at("/encoder/psnr").asDouble(),
                        ev.at("/encoder/sparsity").asDouble(), ev.at("/fista/psnr").asDouble(Double.NaN),
                        ev.at("/fista/sparsity").asDouble(Double.NaN),
                        // a kept point keeps its recorded time; a continued one counts only this session's part
                        finished ? oldSeconds.getOrDefault(name, Double.NaN) : (System.nanoTime() - t0) / 1e9, name);
                points.add(pt);
                io.err().printf(Locale.ROOT, "  test PSNR %.2f dB, sparsity %.1f %%, %.0f s%n", pt.psnr(),
                        100 * pt.sparsity(), pt.seconds());
                write(points); // after every point, so an interrupted sweep keeps what it has trained
            }
        }
        print(points, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /**
     * A point's train options: preset, λ, --out (unless null), --epochs unless --full, then the options passed through
     * to train.
     */
    private List<String> pointArgs(Preset p, double lambda, Path runDir) {
        List<String> args = new ArrayList<>(List.of("--preset", p.cliName, "--sparsity-reg", Double.toString(lambda)));
        if (runDir != null) {
            args.addAll(List.of("--out", runDir.toString()));
        }
        if (!full) {
            args.addAll(List.of("--epochs", Integer.toString(epochs)));
        }
        args.addAll(trainArgs);
        return args;
    }

    /**
     * Refuses, before anything is created or trained, options passed through to train that would fail or mislead every
     * point: ones train does not take or would refuse (parsed with train's own options and checked as train checks a
     * new run's, and a new sweep's --mnist-dir must hold the MNIST files), ones given twice, and --preset and
     * --sparsity-reg, which the sweep sets for each point (the last one would win, and sweep.csv would record another
     * λ than the run trained with). A resumed sweep's come from sweep.json, so that file is at fault: --resume would
     * only fail again. What train checks only when it runs (images enough for a batch, the heap estimate) fails the
     * first point, and the sweep then removes its new folder again.
     */
    private void checkTrainOptions(List<Preset> ps) {
        try {
            ParseResult given = parseTrain(trainArgs);
            refuseRepeated(given);
            if (given.hasMatchedOption("--sparsity-reg")) {
                throw UserError.of("--sparsity-reg " + given.matchedOptionValue("--sparsity-reg", null),
                        "the sweep sets each point's λ (the preset's λ × a factor)",
                        "leave --sparsity-reg out and choose the λ values with --factors");
            }
            if (given.hasMatchedOption("--preset")) {
                throw UserError.of("--preset " + given.matchedOptionValue("--preset", ""),
                        "the sweep trains each preset of --presets", "pass --presets instead");
            }
            refuseNlOnlyOptions(ps, ((TrainCommand) given.commandSpec().userObject()).hyper.given(given));
            for (Preset p : ps) {
                for (double f : factors) {
                    ParseResult point = parseTrain(pointArgs(p, p.config().sparsityReg() * f, null));
                    ((TrainCommand) point.commandSpec().userObject()).checkNewRun();
                }
            }
            if (given.hasMatchedOption("--backend") || given.hasMatchedOption("--threads")) {
                ((TrainCommand) given.commandSpec().userObject()).backend.create(); // a forced one may be missing
            }
            Path mnistDir = given.matchedOptionValue("--mnist-dir", null);
            if (mnistDir != null && !resume) { // on --resume a missing folder may be back soon: train says so
                MnistFiles.inFolder(mnistDir); // the four files are there (train reads them, per point)
            }
        } catch (UserError e) {
            if (!resume) {
                throw e;
            }
            throw UserError.of(out.resolve(SWEEP_JSON), "its train options are refused ("
                    + e.getMessage().replaceFirst("\\. Fix: .*$", "") + ")",
                    "start a new sweep with corrected options in another --out (this one's finished points stay in "
                            + out + ")", e);
        }
    }

    /**
     * Refuses an option of the NL decoder ({@code --hidden-dim}, ...) passed through to train when --presets has a
     * linear preset, as train would refuse it at that point, but with a fix that names --presets: the NL presets
     * (those of --presets, and the NL ones of its linear presets).
     */
    private static void refuseNlOnlyOptions(List<Preset> ps, Map<String, Object> given) {
        List<String> linear = ps.stream().filter(p -> p.config().decoder() == TrainConfig.DecoderKind.LINEAR)
                .map(p -> p.cliName).toList();
        if (linear.isEmpty() || given.containsKey("decoder")) { // --decoder: train checks the options against it
            return;
        }
        for (String f : HyperparameterOptions.NL_ONLY) {
            if (given.containsKey(f)) {
                Set<String> nl = new LinkedHashSet<>(); // each linear preset X has an NL one, X-nl
                ps.forEach(p -> nl.add(linear.contains(p.cliName) ? Preset.byName(p.cliName + "-nl").cliName
                        : p.cliName));
                String option = HyperparameterOptions.optionName(f);
                throw UserError.of(option + " " + given.get(f), "applies only to the NL decoder (one_hidden), but"
                        + " --presets has " + (linear.size() == 1 ? "the linear preset " : "the linear presets ")
                        + String.join(", ", linear), "pass only NL presets with --presets " + String.join(",", nl)
                        + ", or leave " + option + " out");
            }
        }
    }

    /** {@code args} parsed as {@code varsparse train}'s: its parse result; an option it refuses is a user error. */
    private ParseResult parseTrain(List<String> args) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(args);
        try {
            return Main.commandLine(io, false).parseArgs(a.toArray(String[]::new)).subcommand();
        } catch (ParameterException e) {
            String where = e instanceof UnmatchedArgumentException u ? String.join(" ", u.getUnmatched())
                    : e.getArgSpec() instanceof OptionSpec o ? o.longestName() + " " + e.getValue()
                    : String.join(" ", args);
            throw UserError.of(where, e.getMessage().replaceAll("\\.$", ""), "correct it (the options sweep does not"
                    + " take itself go to every train run: see 'varsparse train --help')", e);
        }
    }

    /**
     * Refuses an option that takes one value given more than once. The command line lets the last one win (Main: for
     * run.sh's defaults), which in a sweep would silently drop one: two --out, or a train option twice in sweep.json.
     */
    private static void refuseRepeated(ParseResult parsed) {
        Set<OptionSpec> seen = new HashSet<>();
        for (ArgSpec a : parsed.matchedArgs()) {
            if (a instanceof OptionSpec o && !o.isMultiValue() && !seen.add(o)) {
                throw UserError.of(o.longestName() + (o.arity().max() == 0 ? ""
                                : " " + String.join(" and ", o.originalStringValues())), "given twice, and only one can be used",
                        "pass " + o.longestName() + " once");
            }
        }
    }

    /** One train run with its stdout and stderr in {@code log} (appended to when {@code append}). */
    private static int trainQuietly(List<String> args, Path log, boolean append) {
        try (OutputStream f = append ? Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                : Files.newOutputStream(log);
                PrintStream ps = new PrintStream(f, true, StandardCharsets.UTF_8)) {
            return Main.run(args.toArray(String[]::new), ps, ps);
        } catch (IOException e) {
            throw FileIo.writeFailure(log, e);
        }
    }

    /** A new sweep needs a new or empty --out (a finished or interrupted sweep there is named, with --resume). */
    private void checkNewSweep() {
        if (Files.isRegularFile(out.resolve(SWEEP_JSON))) {
            throw UserError.of(out, "already holds a sweep", "finish it with --resume --out " + out
                    + ", or pass --out a new or empty folder");
        }
        RunDir.checkNew(out);
    }

    /** --resume: the options the sweep in --out was started with; any sweep option given now must be left out. */
    private void loadOptions() {
        Path f = out.resolve(SWEEP_JSON);
        if (!Files.isRegularFile(f)) {
            throw UserError.of(out, Files.isDirectory(out) ? "holds no sweep.json, so it is not a sweep to resume"
                    : "no such sweep folder", "pass --out the folder of a sweep started by varsparse sweep");
        }
        for (String o : List.of("--presets", "--factors", "--epochs", "--full")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                throw UserError.of(o, "a resumed sweep keeps its own options (sweep.json)", "leave " + o + " out with --resume");
            }
        }
        if (!trainArgs.isEmpty()) {
            throw UserError.of(String.join(" ", trainArgs), "a resumed sweep keeps its own train options (sweep.json)",
                    "leave them out with --resume");
        }
        JsonNode j = Json.read(f, "start a new sweep in another folder");
        presets = new ArrayList<>();
        j.path("presets").forEach(n -> presets.add(n.asText()));
        List<Double> fs = new ArrayList<>();
        j.path("factors").forEach(n -> fs.add(n.asDouble()));
        factors = fs.stream().mapToDouble(Double::doubleValue).toArray();
        epochs = j.path("epochs").asInt();
        full = j.path("full").asBoolean();
        trainArgs = new ArrayList<>();
        j.path("train_args").forEach(n -> trainArgs.add(n.asText()));
        if (presets.isEmpty() || factors.length == 0) {
            throw UserError.of(f, "names no presets or factors", "start a new sweep in another folder");
        }
    }

    /**
     * The last error line of a train log, without its {@code error: } prefix and with its fix as "train advises: ...",
     * so that the sweep's own message has one fix; null if there is none.
     */
    private static String lastError(Path log) {
        try {
            List<String> errors = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("error: ")).toList();
            return errors.isEmpty() ? null : errors.get(errors.size() - 1).substring("error: ".length())
                    .replaceAll("\\.$", "").replaceFirst("\\. Fix: ", "; train advises: ");
        } catch (IOException e) {
            return null; // the message then names the log alone
        }
    }

    /** A point whose train run ended: evaluated, and marked finished in run.json. */
    private static boolean finished(Path runDir) {
        Path run = runDir.resolve(RunDir.RUN_JSON);
        return Files.isRegularFile(runDir.resolve("eval.json")) && Files.isRegularFile(run)
                && Json.read(run, "").has(TrainCommand.FINISHED);
    }

    /** The seconds column of an earlier sweep.csv by run name (empty if there is none). */
    private static Map<String, Double> secondsOf(Path csv) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (!Files.isRegularFile(csv)) {
            return m;
        }
        try {
            List<String> lines = Files.readAllLines(csv);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] c = line.split(",");
                if (c.length >= 9) {
                    m.put(c[5], Double.parseDouble(c[8]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return m; // only the seconds column is lost
        }
        return m;
    }

    private void write(List<Point> points) {
        StringBuilder sb = new StringBuilder("preset,factor,sparsity_reg,test_psnr_db,test_sparsity_pct,run,"
                + "fista_psnr_db,fista_sparsity_pct,seconds\n");
        for (Point p : points) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.4f,%.3f,%s,%.4f,%.3f,%.1f%n", p.preset(), fmt(p.factor()),
                    fmt(p.lambda()), p.psnr(), 100 * p.sparsity(), p.run(), p.fistaPsnr(), 100 * p.fistaSparsity(),
                    p.seconds()));
        }
        XYChart chart = new XYChartBuilder().width(700).height(450)
                .title("Test PSNR vs sparsity, λ sweep (" + (full ? "full protocol" : epochs + " epochs") + ")")
                .xAxisTitle("sparsity (% zero code entries)").yAxisTitle("PSNR (dB)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        Map<String, List<Point>> byPreset = new LinkedHashMap<>();
        points.forEach(p -> byPreset.computeIfAbsent(p.preset(), k -> new ArrayList<>()).add(p));
        for (var e : byPreset.entrySet()) {
            List<Point> ps = e.getValue().stream().sorted(Comparator.comparingDouble(Point::sparsity)).toList();
            chart.addSeries(e.getKey(), ps.stream().mapToDouble(p -> 100 * p.sparsity()).toArray(),
                    ps.stream().mapToDouble(Point::psnr).toArray());
        }
        Path csv = out.resolve("sweep.csv"), png = out.resolve("sweep.png");
        Path current = csv;
        try {
            Files.writeString(csv, sb.toString());
            current = png;
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw FileIo.writeFailure(current, e);
        }
    }

    private void print(List<Point> points, double seconds) {
        var o = io.out();
        o.printf(Locale.ROOT, "  %-14s %8s %12s %12s %14s %10s%n", "preset", "factor", "λ", "PSNR (dB)", "sparsity (%)",
                "seconds");
        for (Point p : points) {
            o.printf(Locale.ROOT, "  %-14s %8s %12s %12.2f %14.1f %10.0f%n", p.preset(), fmt(p.factor()),
                    fmt(p.lambda()), p.psnr(), 100 * p.sparsity(), p.seconds());
        }
        o.printf(Locale.ROOT, "%d points in %.1f min%n", points.size(), seconds / 60);
        o.println("wrote " + out.resolve("sweep.csv") + ", " + out.resolve("sweep.png"));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
