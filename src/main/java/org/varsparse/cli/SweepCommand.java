package org.varsparse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.varsparse.UserError;
import org.varsparse.io.FileIo;
import org.varsparse.train.Preset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code varsparse sweep}: the paper's PSNR-vs-sparsity curves (Fig. 2/4): each preset trained at λ = factor ×
 * its λ, one {@code train} run each (reduced epochs unless {@code --full}), then the test PSNR and sparsity of the
 * encoder codes from each run's eval.json, as sweep.csv and one plot.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Train each preset over a λ grid and plot test PSNR vs sparsity (encoder codes).",
                "Options not listed here go to every train run (data, --code-dim, --backend, ...)."})
final class SweepCommand implements Callable<Integer> {
    private final Main.Io io;

    @Option(names = "--presets", paramLabel = "P", split = ",", defaultValue = "mnist-sdl,mnist-sdl-nl,mnist-vdl,mnist-vdl-nl",
            description = "presets (default: ${DEFAULT-VALUE})")
    List<String> presets;

    @Option(names = "--factors", paramLabel = "F", split = ",", defaultValue = "0.25,0.5,1,2,4",
            description = "multiples of each preset's λ (--sparsity-reg) (default: ${DEFAULT-VALUE})")
    double[] factors;

    // 2 epochs: the default MNIST sweep (4 presets × 5 factors) takes about 14 min on 2 AVX-512 cores, so it stays
    // within half an hour on a 2-core machine with half their speed; mnist-sdl-nl is 3/4 of it (docs/RESULTS.md).
    @Option(names = "--epochs", paramLabel = "E", defaultValue = "2",
            description = "epochs per run (default: ${DEFAULT-VALUE}; the reference trains 200 / 100, see --full)")
    int epochs;

    @Option(names = "--full", description = "each preset's own epoch count (the full protocol; days on a CPU)")
    boolean full;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "sweep folder, new or empty; one run folder per point")
    Path out;

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
        List<Preset> ps = new ArrayList<>();
        for (String p : presets) {
            try {
                ps.add(Preset.byName(p));
            } catch (IllegalArgumentException e) {
                throw UserError.of("--presets " + p, "no such preset", "pass some of " + Preset.names());
            }
        }
        for (double f : factors) {
            if (!(f > 0) || Double.isInfinite(f)) {
                throw UserError.of("--factors " + f, "a factor must be a finite number > 0", "pass factors like 0.5,1,2");
            }
        }
        if (!full && epochs < 1) {
            throw UserError.of("--epochs " + epochs, "nothing to train", "pass --epochs 1 or more");
        }
        RunDir.checkNew(out);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw FileIo.writeFailure(out, e);
        }
        List<Point> points = new ArrayList<>();
        long start = System.nanoTime();
        for (Preset p : ps) {
            for (double f : factors) {
                double lambda = p.config().sparsityReg() * f;
                String name = String.format(Locale.ROOT, "%s-x%s", p.cliName, fmt(f));
                Path runDir = out.resolve(name);
                List<String> args = new ArrayList<>(List.of("train", "--preset", p.cliName, "--sparsity-reg",
                        Double.toString(lambda), "--out", runDir.toString()));
                if (!full) {
                    args.addAll(List.of("--epochs", Integer.toString(epochs)));
                }
                args.addAll(trainArgs);
                io.err().printf(Locale.ROOT, "sweep: %s, λ = %s (×%s)%n", p.cliName, fmt(lambda), fmt(f));
                long t0 = System.nanoTime();
                int rc = trainQuietly(args, out.resolve(name + ".log"));
                if (rc != 0) {
                    throw UserError.of(out.resolve(name + ".log"), "train " + name + " failed with status " + rc,
                            "read that log; the train options given were " + trainArgs);
                }
                JsonNode ev = Json.read(runDir.resolve("eval.json"), "rerun the sweep");
                Point pt = new Point(p.cliName, f, lambda, ev.at("/encoder/psnr").asDouble(),
                        ev.at("/encoder/sparsity").asDouble(), ev.at("/fista/psnr").asDouble(Double.NaN),
                        ev.at("/fista/sparsity").asDouble(Double.NaN), (System.nanoTime() - t0) / 1e9, name);
                points.add(pt);
                io.err().printf(Locale.ROOT, "  test PSNR %.2f dB, sparsity %.1f %%, %.0f s%n", pt.psnr(),
                        100 * pt.sparsity(), pt.seconds());
                write(points); // after every point, so an interrupted sweep keeps what it has trained
            }
        }
        print(points, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** One train run with its stdout and stderr in {@code log}. */
    private static int trainQuietly(List<String> args, Path log) {
        try (OutputStream f = Files.newOutputStream(log);
                PrintStream ps = new PrintStream(f, true, StandardCharsets.UTF_8)) {
            return Main.run(args.toArray(String[]::new), ps, ps);
        } catch (IOException e) {
            throw FileIo.writeFailure(log, e);
        }
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
