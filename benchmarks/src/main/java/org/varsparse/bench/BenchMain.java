package org.varsparse.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * {@code java -jar benchmarks.jar [JMH options]}: runs JMH as its own Main would, then prints GFLOP/s for
 * every benchmark with a {@code shape} parameter naming a {@link GemmShape} (score in ops/s × flops per op).
 * Benchmarks without one (a FISTA benchmark, say) appear in JMH's own table only.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions opts = new CommandLineOptions(args);
        if (opts.shouldHelp() || opts.shouldList() || opts.shouldListWithParams() || opts.shouldListProfilers()
                || opts.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        Collection<RunResult> results = new Runner(opts).run();
        printGflops(results);
    }

    static void printGflops(Collection<RunResult> results) {
        List<String> lines = new ArrayList<>();
        for (RunResult r : results) {
            GemmShape shape = gemmShape(r.getParams().getParam("shape"));
            if (shape == null || !r.getParams().getMode().name().equals("Throughput")) {
                continue;
            }
            String shapeName = shape.name();
            Result<?> score = r.getPrimaryResult();
            double perSecond = perSecond(score.getScoreUnit());
            double gflops = score.getScore() * perSecond * shape.flops() / 1e9;
            double err = Double.isNaN(score.getScoreError()) ? 0 : score.getScoreError() * perSecond * shape.flops() / 1e9;
            lines.add(String.format(Locale.ROOT, "%-18s %-7s %7s %8.1f ± %5.1f", shapeName,
                    r.getParams().getParam("backend"), r.getParams().getParam("threads"), gflops, err));
        }
        if (lines.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("GFLOP/s (2·m·k·n per op; ± is JMH's 99.9% interval)");
        System.out.println(String.format(Locale.ROOT, "%-18s %-7s %7s %8s", "shape", "backend", "threads", "GFLOP/s"));
        lines.forEach(System.out::println);
    }

    /** The GemmShape a {@code shape} parameter names, or null (no such parameter, or another benchmark's shape). */
    private static GemmShape gemmShape(String name) {
        if (name == null) {
            return null;
        }
        try {
            return GemmShape.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Multiplier from a JMH throughput unit ("ops/s", "ops/ms", ...) to ops per second. */
    private static double perSecond(String unit) {
        return switch (unit) {
            case "ops/s" -> 1;
            case "ops/ms" -> 1e3;
            case "ops/us" -> 1e6;
            case "ops/ns" -> 1e9;
            case "ops/min" -> 1.0 / 60;
            default -> throw new IllegalStateException("unexpected throughput unit " + unit);
        };
    }
}
