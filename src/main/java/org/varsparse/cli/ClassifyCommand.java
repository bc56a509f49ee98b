package org.varsparse.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.varsparse.UserError;
import org.varsparse.backend.Backends;
import org.varsparse.classify.Classifier;
import org.varsparse.data.MnistDataset;
import org.varsparse.data.Split;
import org.varsparse.io.FileIo;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code varsparse classify}: classification in the low-data regime (METHOD §4.4) with a trained run's encoder.
 * For each n labelled images per class (the first n of each class in the training split's order), each seed and
 * each feature set: softmax regression on the encoder codes E(y), on the pixels, or a random LISTA + linear layer
 * trained end to end; Adam, CE, batches of 250; validation on the run's validation images selects the epoch.
 */
@Command(name = "classify", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Low-data MNIST classification with a run's encoder codes vs pixels vs a random LISTA trained end to end.",
                "Tests the weights of the epoch with the lowest validation loss (the reference saves them but tests the"
                        + " last epoch's, METHOD §7.9; both are written). Writes classification.csv, classification.png."})
final class ClassifyCommand implements Callable<Integer> {
    enum Features { codes, pixels, lista }

    private final Main.Io io;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "a run folder trained on MNIST")
    Path run;

    @Option(names = "--checkpoint", paramLabel = "NAME", defaultValue = "best", description = "best or last (default: ${DEFAULT-VALUE})")
    EvalCommand.CheckpointName checkpoint = EvalCommand.CheckpointName.best;

    @Option(names = "--n", paramLabel = "N", split = ",", defaultValue = "1,2,5,10,20,50,100",
            description = "labelled images per class (default: ${DEFAULT-VALUE})")
    int[] perClass;

    @Option(names = "--seeds", paramLabel = "K", defaultValue = "3", description = "seeds per setting (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "100", description = "epochs (default: ${DEFAULT-VALUE}, as the reference)")
    int epochs;

    @Option(names = "--features", paramLabel = "F", split = ",", defaultValue = "codes,pixels,lista",
            description = "codes, pixels, lista (default: ${DEFAULT-VALUE})")
    Features[] features;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: <run>/classification)")
    Path out;

    @Option(names = "--force", description = "overwrite classification.csv and classification.png if they exist")
    boolean force;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    BackendOptions backend = new BackendOptions();

    ClassifyCommand(Main.Io io) {
        this.io = io;
    }

    /**
     * Refuses a value given twice in a list option: it would train the same classifiers again and print their rows
     * twice.
     */
    private static void refuseTwice(String option, List<?> values, String fix) {
        Set<Object> seen = new HashSet<>();
        for (Object v : values) {
            if (!seen.add(v)) {
                throw UserError.of(option + " " + values.stream().map(String::valueOf).collect(Collectors.joining(",")),
                        v + " is given twice", fix);
            }
        }
    }

    /** One trained classifier: test scores of the best-validation and of the last epoch. */
    record Row(Features features, int n, long seed, int bestEpoch, double valLoss, Classifier.Scores best,
               Classifier.Scores last) {
    }

    @Override
    public Integer call() {
        for (int n : perClass) {
            if (n < 1) {
                throw UserError.of("--n " + n, "must be at least 1", "pass counts like --n 1,10,100");
            }
        }
        refuseTwice("--n", Arrays.stream(perClass).boxed().toList(), "pass each count once, like --n 1,10,100");
        refuseTwice("--features", Arrays.asList(features), "pass each feature set once, like --features codes,pixels");
        if (seeds < 1) {
            throw UserError.of("--seeds " + seeds, "must be at least 1", "pass a number of seeds such as --seeds 3");
        }
        if (epochs < 1) {
            throw UserError.of("--epochs " + epochs, "must be at least 1", "pass a number of epochs such as --epochs 100");
        }
        RunDir r = RunDir.existing(run);
        Checkpoint.State s = Checkpoint.load(r.checkpoints(), checkpoint.name());
        DataSpec spec = data.ofRun(TrainCommand.dataSpec(r), "classify");
        if (spec.isPatches()) {
            throw UserError.of(run, "was trained on image patches, which have no labels", "pass a run trained on MNIST");
        }
        Path dir = out != null ? out : r.dir.resolve("classification");
        OutputGuard.checkFolder(dir, force, csv(dir), png(dir)); // before the training, which may take hours
        TensorOps ops = backend.create();
        DataSpec.Loaded d = spec.load();
        MnistDataset m = d.mnist();
        Split split = Split.of(m.trainPool().rows, spec.valSize(), MnistDataset.DEFAULT_SPLIT_SEED);
        int[] trainLabels = labels(m.trainLabels(), split.train());
        int[] valLabels = labels(m.trainLabels(), split.val());
        int[] testLabels = labels(m.testLabels(), null);
        io.err().printf(Locale.ROOT, "varsparse classify: %s checkpoint %s (epoch %d), backend %s%n", r.dir, checkpoint,
                s.epoch(), Backends.describe(ops));

        Matrix valCodes = encode(s, ops, d.val()), testCodes = encode(s, ops, d.test());
        List<Row> rows = new ArrayList<>();
        for (int n : perClass) {
            int[] picked;
            try {
                picked = Classifier.firstPerClass(trainLabels, n);
            } catch (IllegalArgumentException e) {
                throw UserError.of("--n " + n, e.getMessage(), "pass smaller counts");
            }
            Matrix pixels = new Matrix(picked.length, d.pool().cols);
            int[] y = new int[picked.length];
            for (int i = 0; i < picked.length; i++) {
                System.arraycopy(d.pool().data, split.train()[picked[i]] * pixels.cols, pixels.data, i * pixels.cols, pixels.cols);
                y[i] = trainLabels[picked[i]];
            }
            Matrix codes = encode(s, ops, pixels);
            for (Features f : features) {
                for (int k = 0; k < seeds; k++) {
                    long seed = MnistDataset.DEFAULT_SPLIT_SEED + k;
                    Classifier c = switch (f) {
                        case codes -> Classifier.linear(ops, codes.cols, seed);
                        case pixels -> Classifier.linear(ops, pixels.cols, seed);
                        case lista -> Classifier.lista(ops, pixels.cols, s.config().codeDim(), s.encoder().iterations, seed);
                    };
                    boolean onCodes = f == Features.codes;
                    Matrix val = onCodes ? valCodes : d.val(), test = onCodes ? testCodes : d.test();
                    long t0 = System.nanoTime();
                    Classifier.Result res = c.train(onCodes ? codes : pixels, y, val, valLabels, test, testLabels,
                            new Classifier.Config(epochs, 250, 1e-3, seed));
                    Classifier.Scores best = c.score(test, testLabels);
                    rows.add(new Row(f, n, seed, res.bestEpoch(), res.bestVal().loss(), best, res.lastTest()));
                    io.err().printf(Locale.ROOT, "  %-6s n=%-3d seed %d: test top-1 %.2f%% (best epoch %d), %.2f%% (last), %.1f s%n",
                            f, n, seed, 100 * best.top1(), res.bestEpoch(), 100 * res.lastTest().top1(),
                            (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        write(dir, rows);
        return 0;
    }

    private static Path csv(Path dir) {
        return dir.resolve("classification.csv");
    }

    private static Path png(Path dir) {
        return dir.resolve("classification.png");
    }

    private static Matrix encode(Checkpoint.State s, TensorOps ops, Matrix y) {
        Matrix z = new Matrix(y.rows, s.config().codeDim());
        s.encoder().encode(ops, y, z);
        return z;
    }

    private static int[] labels(byte[] all, int[] rows) {
        int n = rows == null ? all.length : rows.length;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = all[rows == null ? i : rows[i]];
        }
        return out;
    }

    private void write(Path dir, List<Row> rows) {
        Path csv = csv(dir), png = png(dir);
        StringBuilder sb = new StringBuilder("features,n_per_class,seed,best_epoch,val_loss_best,test_top1_best,"
                + "test_top3_best,test_loss_best,test_top1_last,test_top3_last,test_loss_last\n");
        for (Row w : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f%n", w.features(), w.n(),
                    w.seed(), w.bestEpoch(), w.valLoss(), w.best().top1(), w.best().top3(), w.best().loss(),
                    w.last().top1(), w.last().top3(), w.last().loss()));
        }
        // mean test top-1 per (features, n): best-validation and last epoch
        Map<Features, Map<Integer, double[]>> agg = new LinkedHashMap<>();
        for (Row w : rows) {
            double[] a = agg.computeIfAbsent(w.features(), k -> new TreeMap<>()).computeIfAbsent(w.n(), k -> new double[4]);
            a[0] += w.best().top1();
            a[1] += w.best().top1() * w.best().top1();
            a[2] += w.last().top1();
            a[3]++;
        }
        var o = io.out();
        o.printf(Locale.ROOT, "test top-1 accuracy (%%), mean ± std over %d seeds; best-validation epoch [last epoch]%n", seeds);
        o.printf(Locale.ROOT, "  %5s", "n");
        agg.keySet().forEach(f -> o.printf(Locale.ROOT, " %24s", f));
        o.println();
        for (int n : perClass) {
            o.printf(Locale.ROOT, "  %5d", n);
            for (Map<Integer, double[]> byN : agg.values()) {
                double[] a = byN.get(n);
                double mean = a[0] / a[3], sd = Math.sqrt(Math.max(0, a[1] / a[3] - mean * mean));
                o.printf(Locale.ROOT, " %24s", String.format(Locale.ROOT, "%.2f ± %.2f [%.2f]", 100 * mean, 100 * sd,
                        100 * a[2] / a[3]));
            }
            o.println();
        }
        XYChart chart = new XYChartBuilder().width(700).height(450).title("Low-data MNIST classification")
                .xAxisTitle("labelled images per class").yAxisTitle("test top-1 accuracy (%)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        for (var e : agg.entrySet()) {
            double[] x = e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] yv = e.getValue().values().stream().mapToDouble(a -> 100 * a[0] / a[3]).toArray();
            chart.addSeries(e.getKey().toString(), x, yv);
        }
        Path current = csv;
        try {
            Files.createDirectories(dir);
            Files.writeString(csv, sb.toString());
            current = png;
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw FileIo.writeFailure(current, e);
        }
        o.println("wrote " + csv + ", " + png);
    }
}
