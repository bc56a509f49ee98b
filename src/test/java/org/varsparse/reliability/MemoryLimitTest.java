package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.varsparse.backend.Backends;
import org.varsparse.eval.Metrics;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.train.MemoryEstimate;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

/**
 * Resource limits: a run whose weights, optimizer state, workspaces and data cannot fit the heap is refused before
 * anything is read or allocated, with one line naming the size option (or the heap) and the fix.
 */
class MemoryLimitTest {
    @TempDir
    Path tmp;

    /**
     * The sizes are checked before the data: --mnist-dir names a folder that does not exist, so reaching the data
     * (or allocating the model first) would give another error, or an OutOfMemoryError.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"--code-dim, 200000, mnist-vdl", "--hidden-dim, 10000000, mnist-vdl-nl", "--batch-size, 100000000, mnist-sdl"})
    void hugeSizesAreRefusedBeforeTheDataIsRead(String option, String value, String preset) {
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--preset", preset, option, value, "--mnist-dir", tmp.resolve("absent").toString(),
                "--out", run.toString());
        String line = r.userError();
        assertTrue(line.startsWith("error: " + option + " " + value + ": training needs about "), line);
        assertTrue(line.contains("of Java heap (weights ") && line.contains("but this JVM may use")
                && line.contains("Fix: lower " + option), line);
        assertFalse(Files.exists(run));
    }

    /** A heap too small for a preset as it is: the heap itself is named, with a -Xmx that fits. */
    @Test
    void aHeapTooSmallForThePresetNamesTheHeap() throws Exception {
        Cli.Result r = ChildJvm.run(ChildJvm.command(List.of("-Xmx48m"), List.of("train", "--preset", "mnist-vdl-nl",
                "--mnist-dir", tmp.resolve("absent").toString(), "--out", tmp.resolve("run").toString())),
                tmp.resolve("small-heap.log"), 60);
        String line = r.userError();
        assertTrue(line.startsWith("error: the Java heap (") && line.contains("training needs about")
                && line.contains("data 224 MiB"), line);
        assertTrue(line.contains("Fix: give Java more heap, e.g. VARSPARSE_JAVA_OPTS=-Xmx"), line);
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    /**
     * The estimate covers what a trainer really keeps: the heap retained by a trainer (a one-hidden-layer decoder,
     * after steps that put its FISTA ladder to use), measured after full collections, is below the estimate.
     */
    @Test
    void theEstimateCoversWhatATrainerKeeps() {
        TrainConfig c = Preset.MNIST_VDL_NL.config().with("codeDim", 32).with("hiddenDim", 800).with("batchSize", 40)
                .with("maxInferenceSteps", 6).with("codeReg", 5);
        int p = 784;
        SplittableRandom rng = new SplittableRandom(3);
        List<Matrix> batches = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            batches.add(Matrix.uniform(c.batchSize(), p, -0.4f, 2.8f, rng));
        }
        TensorOps ops = Backends.create("auto");
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = retained(mem);
        Trainer t = new Trainer(c, ops, p, Metrics.Normalization.MNIST);
        for (Matrix y : batches) {
            t.step(y);
        }
        long kept = retained(mem) - before;
        MemoryEstimate m = MemoryEstimate.of(c, p, 0, ops.threads());
        // the estimate also counts the final evaluation's solver and buffers, which a bare trainer does not hold
        System.out.printf("trainer retains %d bytes; estimate %d (%s)%n", kept, m.totalBytes(), m.describe());
        assertTrue(kept > 8L << 20, "the measurement sees the trainer: " + kept);
        assertTrue(kept <= m.totalBytes(), "retained " + kept + " > estimate " + m.totalBytes() + " (" + m.describe() + ")");
        assertEquals(2, t.decoderOptimizer().exportState().params().get(0).step(), "the trainer stays reachable");
    }

    private static long retained(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    @Test
    void arraysOverJavasLimitAreNamed() {
        MemoryEstimate m = MemoryEstimate.of(Preset.MNIST_VDL.config().with("codeDim", 200_000), 784, 0, 1);
        assertFalse(m.arraysFit());
        assertEquals("the encoder's S (l×l)", m.largest());
        assertEquals(40_000_000_000L, m.largestSize());
        assertTrue(MemoryEstimate.of(Preset.MNIST_VDL.config(), 784, 75_000, 2).arraysFit());
    }
}
