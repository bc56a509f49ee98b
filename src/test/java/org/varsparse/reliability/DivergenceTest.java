package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.model.Adam;
import org.varsparse.tensor.Matrix;
import org.varsparse.train.DivergenceException;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

/**
 * Divergence: NaN or infinity in the energy, the codes, the weights or Adam's moments stops training at the step it
 * appears, with one line naming the hyperparameter to lower, exit 2, and the checkpoints of earlier epochs intact.
 */
class DivergenceTest {
    @TempDir
    static Path tmp;
    static Path data;

    private static final Pattern AT = Pattern.compile("training diverged at epoch (\\d+), batch (\\d+)");

    @BeforeAll
    static void data() {
        data = TinyData.write(tmp.resolve("data"), 8);
    }

    /** Each provocation, the option the error must name first, and where it must be caught. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        // η far beyond 1/L: FISTA overflows within the first solve
        "--code-step-size, 1e6, --code-step-size 1000000.0, 1, 1, the training energy became",
        // an lr that overflows float: the first Adam step writes -Infinity into W
        "--lr-decoder, 1e300, --lr-decoder 1.0E300, 1, 1, the decoder weight W[",
        // W grows ~7x in one Adam step: FISTA, stable for the initial W, overflows at the next step
        "--lr-decoder, 1.5, --lr-decoder 1.5, 1, 2, the decoder weight W[0] (its gradient overflowed)",
        // the encoder's codes explode: the huge FISTA target overflows the decoder gradient
        "--lr-encoder, 100, --lr-encoder 100.0, 1, 2, (its gradient overflowed) became Infinity",
    })
    void stopsAtTheStepWithOneLineNamingTheHyperparameter(String option, String value, String named, int epoch,
                                                          int batch, String what) {
        Path out = tmp.resolve("run" + option + value);
        Cli.Result r = Cli.run(TinyData.trainArgs(data, out, 3, option, value));
        String line = r.userError();
        assertTrue(line.startsWith("error: " + named + ": training diverged at epoch " + epoch + ", batch " + batch + ": "),
                line);
        assertTrue(line.contains(what), "names what diverged ('" + what + "'): " + line);
        assertTrue(line.contains("Fix: lower " + named.replace(" ", " (now ") + ")"), line);
        assertFalse(Files.exists(out), "diverged before its first checkpoint: no run folder");
        assertEquals(List.of(), RunFiles.debris(tmp));
    }

    /**
     * A learning rate that diverges in the second epoch (found by trying: --lr-decoder 0.3 with up to 200 FISTA
     * steps on this data overflows FISTA at epoch 2, batch 1): the run stops there, and its checkpoints are epoch 1's,
     * byte for byte those of a run that stopped after epoch 1, finite, loadable; metrics.jsonl holds epoch 1 only.
     */
    @Test
    void aLaterDivergenceKeepsTheEarlierCheckpointsIntact() throws IOException {
        String[] diverging = {"--lr-decoder", "0.3", "--max-inference-steps", "200"};
        Path oneEpoch = tmp.resolve("one-epoch");
        Cli.Result ok = Cli.run(TinyData.trainArgs(data, oneEpoch, 1, diverging));
        assertEquals(0, ok.exit(), ok.err());

        Path run = tmp.resolve("diverges-later");
        Cli.Result r = Cli.run(TinyData.trainArgs(data, run, 3, diverging));
        String line = r.userError();
        Matcher m = AT.matcher(line);
        assertTrue(m.find(), line);
        assertEquals(2, Integer.parseInt(m.group(1)), "diverges in epoch 2, after a checkpoint: " + line);
        assertTrue(line.startsWith("error: --lr-decoder 0.3: ") && line.contains("keeps epoch 1"), line);

        for (String ck : List.of("last", "best")) {
            Path dir = run.resolve("checkpoints").resolve(ck);
            RunFiles.assertCheckpointLoadable(dir);
            assertEquals(1, RunFiles.readJson(dir.resolve("checkpoint.json")).get("epoch").asInt(), ck);
            for (String f : List.of("model.safetensors", "optimizer.safetensors")) {
                assertArrayEquals(Files.readAllBytes(oneEpoch.resolve("checkpoints").resolve(ck).resolve(f)),
                        Files.readAllBytes(dir.resolve(f)), ck + "/" + f + " is epoch 1's");
            }
        }
        assertEquals(1, Files.readAllLines(run.resolve("metrics.jsonl")).size(), "only epoch 1 is logged");
        assertEquals(List.of(), RunFiles.debris(run));

        // --resume repeats the same steps: the same divergence at the same place, nothing changed
        Map<String, String> before = RunFiles.snapshot(run.resolve("checkpoints"));
        String again = Cli.run("train", "--resume", "--out", run.toString()).userError();
        assertTrue(again.contains(m.group()), again);
        assertEquals(before, RunFiles.snapshot(run.resolve("checkpoints")));
    }

    /** The library: the step that produces NaN throws before any weight or moment takes it. */
    @Test
    void theFailingStepLeavesTheModelAsItWas() {
        TrainConfig c = Preset.MNIST_VDL.config().with("codeDim", 8).with("batchSize", 10).with("maxInferenceSteps", 30)
                .with("codeStepSize", 1e30);
        Trainer t = new Trainer(c, new ScalarOps(), 36, Metrics.Normalization.MNIST);
        Trainer.Snapshot before = t.snapshot();
        Adam.State adamBefore = t.decoderOptimizer().exportState();
        Matrix y = Matrix.uniform(10, 36, -0.4f, 2.8f, new SplittableRandom(2));
        DivergenceException e = assertThrows(DivergenceException.class, () -> t.step(y));
        assertEquals("codeStepSize", e.hyperparameters().get(0), e.getMessage());
        assertTrue(e.getMessage().startsWith("codeStepSize: training diverged at a training step: the training energy"),
                e.getMessage());
        Trainer.Snapshot after = t.snapshot();
        for (String k : before.decoder().keySet()) {
            assertArrayEquals(before.decoder().get(k), after.decoder().get(k), "decoder " + k);
        }
        for (String k : before.encoder().keySet()) {
            assertArrayEquals(before.encoder().get(k), after.encoder().get(k), "encoder " + k);
        }
        assertEquals(0, t.decoderOptimizer().exportState().params().get(0).step(), "no Adam step was taken");
        assertArrayEquals(adamBefore.params().get(0).expAvgSq(), t.decoderOptimizer().exportState().params().get(0).expAvgSq());
    }
}
