package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.varsparse.UserError;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.model.Adam;
import org.varsparse.tensor.Matrix;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

/** Checkpoints: bit-exact round trip, the safetensors layout a Python user relies on, and crash safety. */
class CheckpointTest {
    @TempDir
    Path tmp;

    private final ScalarOps ops = new ScalarOps();

    /** A trainer after two steps on random data, so weights and Adam moments are non-trivial. */
    private Trainer trained(TrainConfig c) {
        Trainer t = new Trainer(c, ops, 36, Metrics.Normalization.MNIST);
        SplittableRandom rng = new SplittableRandom(5);
        for (int k = 0; k < 2; k++) {
            t.step(Matrix.uniform(c.batchSize(), 36, -0.4f, 2.8f, rng));
        }
        return t;
    }

    private static TrainConfig linear() {
        return Preset.MNIST_VDL.config().with("codeDim", 8).with("batchSize", 10).with("maxInferenceSteps", 20);
    }

    private static TrainConfig nl() {
        return Preset.MNIST_VDL_NL.config().with("codeDim", 8).with("hiddenDim", 12).with("batchSize", 10)
                .with("maxInferenceSteps", 20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "nl"})
    void roundTripIsBitExact(String kind) {
        TrainConfig c = kind.equals("linear") ? linear() : nl();
        Trainer t = trained(c);
        Path dir = tmp.resolve("checkpoints");
        Checkpoint.save(dir, "last", Checkpoint.of(t, 7, 1.25, 1.0, 5, "scalar (1 thread)"));
        Checkpoint.State s = Checkpoint.load(dir, "last");
        assertEquals(c, s.config());
        assertEquals(7, s.epoch());
        assertEquals(1.25, s.valEnergy());
        assertEquals(1.0, s.bestValEnergy());
        assertEquals(5, s.bestEpoch());
        assertEquals("scalar (1 thread)", s.backend());
        Map<String, org.varsparse.io.SafeTensors.Tensor> want = Checkpoint.modelTensors(t.decoder(), t.encoder());
        Map<String, org.varsparse.io.SafeTensors.Tensor> got = Checkpoint.modelTensors(s.decoder(), s.encoder());
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            assertArrayEquals(want.get(k).shape(), got.get(k).shape(), k);
            assertArrayEquals(want.get(k).data(), got.get(k).data(), k);
        }
        assertAdamEquals(t.decoderOptimizer().exportState(), s.decoderAdam());
        assertAdamEquals(t.encoderOptimizer().exportState(), s.encoderAdam());

        // the restored trainer takes the same next step as the original
        Trainer back = Checkpoint.trainer(s, s.config(), ops, dir.resolve("last"), Metrics.Normalization.MNIST);
        Matrix y = Matrix.uniform(c.batchSize(), 36, -0.4f, 2.8f, new SplittableRandom(9));
        t.step(y);
        back.step(y.copy());
        assertArrayEquals(Checkpoint.modelTensors(t.decoder(), t.encoder()).get("encoder.W").data(),
                Checkpoint.modelTensors(back.decoder(), back.encoder()).get("encoder.W").data());
        assertAdamEquals(t.decoderOptimizer().exportState(), back.decoderOptimizer().exportState());
    }

    private static void assertAdamEquals(Adam.State a, Adam.State b) {
        assertEquals(a.groups(), b.groups());
        assertEquals(a.params().size(), b.params().size());
        for (int i = 0; i < a.params().size(); i++) {
            Adam.ParamState x = a.params().get(i), y = b.params().get(i);
            assertEquals(x.name(), y.name());
            assertEquals(x.step(), y.step(), x.name());
            assertArrayEquals(x.expAvg(), y.expAvg(), x.name());
            assertArrayEquals(x.expAvgSq(), y.expAvgSq(), x.name());
        }
    }

    /** Parses a safetensors header by hand, as a Python reader would, and checks the layout rules. */
    private static JsonNode header(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertTrue(8 + n <= all.length);
        JsonNode h = Json.MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        long dataBytes = all.length - 8 - n;
        List<long[]> spans = new ArrayList<>();
        h.properties().forEach(e -> {
            if (e.getKey().equals("__metadata__")) {
                e.getValue().properties().forEach(m -> assertTrue(m.getValue().isTextual(), "metadata are strings"));
                return;
            }
            JsonNode t = e.getValue();
            assertEquals("F32", t.get("dtype").asText(), e.getKey());
            long numel = 1;
            for (JsonNode d : t.get("shape")) {
                numel *= d.asLong();
            }
            long b = t.get("data_offsets").get(0).asLong(), end = t.get("data_offsets").get(1).asLong();
            assertEquals(4 * numel, end - b, e.getKey() + ": offsets span shape × 4 bytes");
            spans.add(new long[] {b, end});
        });
        spans.sort((x, y) -> Long.compare(x[0], y[0]));
        long at = 0;
        for (long[] s : spans) {
            assertEquals(at, s[0], "tensors tile the data without holes or overlaps");
            at = s[1];
        }
        assertEquals(dataBytes, at, "the last tensor ends at the end of the file");
        return h;
    }

    @Test
    void safetensorsHeadersHaveTheDocumentedNamesShapesAndOffsets() throws IOException {
        TrainConfig c = nl();
        Trainer t = trained(c);
        Path dir = tmp.resolve("checkpoints");
        Checkpoint.save(dir, "best", Checkpoint.of(t, 3, 2.0, 2.0, 3, "scalar (1 thread)"));
        JsonNode model = header(dir.resolve("best").resolve(Checkpoint.MODEL));
        Map<String, List<Integer>> shapes = Map.of("decoder.W1", List.of(12, 8), "decoder.b1", List.of(12),
                "decoder.W2", List.of(36, 12), "encoder.W", List.of(8, 36), "encoder.b", List.of(8),
                "encoder.S", List.of(8, 8));
        for (Map.Entry<String, List<Integer>> e : shapes.entrySet()) {
            List<Integer> s = new ArrayList<>();
            model.get(e.getKey()).get("shape").forEach(d -> s.add(d.asInt()));
            assertEquals(e.getValue(), s, e.getKey());
        }
        assertEquals(shapes.size() + 1, model.size(), "six tensors and the metadata");
        assertEquals("one_hidden_decoder", model.at("/__metadata__/varsparse.decoder").asText());

        JsonNode opt = header(dir.resolve("best").resolve(Checkpoint.OPTIMIZER));
        for (String p : shapes.keySet()) {
            assertEquals(model.get(p).get("shape"), opt.get(p + ".exp_avg").get("shape"), p);
            assertEquals(model.get(p).get("shape"), opt.get(p + ".exp_avg_sq").get("shape"), p);
            assertEquals("2", opt.at("/__metadata__/" + p.replace("/", "~1") + ".step").asText(), p + " step count");
        }
        assertEquals("b1,W1,W2", opt.at("/__metadata__/decoder.params").asText());

        JsonNode j = Json.read(dir.resolve("best").resolve(Checkpoint.JSON), "");
        assertEquals(Checkpoint.FORMAT, j.get("format").asText());
        assertEquals(c.seed(), j.get("seed").asLong());
        assertEquals(Checkpoint.sha256(dir.resolve("best").resolve(Checkpoint.MODEL)),
                j.at("/files/model.safetensors/sha256").asText());
        assertEquals(Files.size(dir.resolve("best").resolve(Checkpoint.OPTIMIZER)),
                j.at("/files/optimizer.safetensors/bytes").asLong());
        assertTrue(j.at("/versions/jdk").asText().startsWith(Integer.toString(Runtime.version().feature())));
    }

    @Test
    void aCrashNeverLeavesLastUnloadable() throws IOException {
        TrainConfig c = linear();
        Trainer t = trained(c);
        Path dir = tmp.resolve("checkpoints");
        Checkpoint.save(dir, "last", Checkpoint.of(t, 1, 3.0, 3.0, 1, "scalar"));

        // (1) a crash while the next checkpoint is being written leaves a partial folder: ignored, then replaced
        Path partial = Files.createDirectories(dir.resolve(".last.partial"));
        Files.write(partial.resolve(Checkpoint.MODEL), new byte[] {1, 2, 3});
        assertEquals(1, Checkpoint.load(dir, "last").epoch());
        Checkpoint.save(dir, "last", Checkpoint.of(t, 2, 2.5, 2.5, 2, "scalar"));
        assertEquals(2, Checkpoint.load(dir, "last").epoch());
        assertFalse(Files.exists(partial), "the stale partial folder is cleaned up");

        // (2) a crash between the two renames: only the previous checkpoint, moved aside, exists
        Files.move(dir.resolve("last"), dir.resolve(".last.old"));
        assertEquals(2, Checkpoint.load(dir, "last").epoch());
        Checkpoint.save(dir, "last", Checkpoint.of(t, 3, 2.0, 2.0, 3, "scalar"));
        assertEquals(3, Checkpoint.load(dir, "last").epoch());
        assertFalse(Files.exists(dir.resolve(".last.old")));
        try (var s = Files.list(dir)) {
            assertEquals(List.of("last"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aDamagedCheckpointIsAOneLineUserError() throws IOException {
        Trainer t = trained(linear());
        Path dir = tmp.resolve("checkpoints");
        Checkpoint.save(dir, "last", Checkpoint.of(t, 1, 3.0, 3.0, 1, "scalar"));
        Path model = dir.resolve("last").resolve(Checkpoint.MODEL);
        byte[] b = Files.readAllBytes(model);
        b[b.length - 1] ^= 1;
        Files.write(model, b);
        UserError e = assertThrows(UserError.class, () -> Checkpoint.load(dir, "last"));
        assertTrue(e.getMessage().startsWith(model.toString()) && e.getMessage().contains("SHA-256")
                && e.getMessage().contains("Fix:"), e.getMessage());
        UserError missing = assertThrows(UserError.class, () -> Checkpoint.load(dir, "best"));
        assertTrue(missing.getMessage().contains("no such checkpoint"), missing.getMessage());
        assertFalse(Arrays.asList(missing.getMessage().split("")).contains("\n"));
    }

    /** A run's checkpoint with another run's hyperparameters (copied in): its SHA-256 checks pass, this one not. */
    @Test
    void anotherRunsCheckpointInARunIsRefused() {
        Path run = tmp.resolve("run"), dir = run.resolve("checkpoints");
        TrainConfig c = linear();
        Checkpoint.save(dir, "best", Checkpoint.of(trained(c), 1, 3.0, 3.0, 1, "scalar"));
        Json.write(run.resolve(RunDir.RUN_JSON), Map.of("hyperparameters", c.with("epochs", c.epochs() + 5).asMap()));
        assertEquals(1, Checkpoint.load(dir, "best").epoch(), "a resumed run's epochs may differ");

        Json.write(run.resolve(RunDir.RUN_JSON), Map.of("hyperparameters", c.with("codeDim", 16).asMap()));
        UserError e = assertThrows(UserError.class, () -> Checkpoint.load(dir, "best"));
        assertEquals(dir.resolve("best") + ": is not this run's checkpoint: its codeDim 8 (run.json: 16) differs from"
                + " the run's hyperparameters in " + run.resolve(RunDir.RUN_JSON) + ". Fix: pass --checkpoint last to"
                + " use the run's other checkpoint, or train anew (or put the run's own checkpoint back)", e.getMessage());

        TrainConfig other = nl();
        Json.write(run.resolve(RunDir.RUN_JSON), Map.of("hyperparameters", other.asMap()));
        e = assertThrows(UserError.class, () -> Checkpoint.load(dir, "best", Checkpoint.FIX_RESUME));
        assertTrue(e.getMessage().contains("its preset mnist-vdl (run.json: mnist-vdl-nl), decoder linear"
                + " (run.json: one_hidden)"), e.getMessage());
        assertTrue(e.getMessage().contains("Fix: " + Checkpoint.FIX_RESUME), e.getMessage());

        Path library = tmp.resolve("saved");
        Checkpoint.save(library, "best", Checkpoint.of(trained(c), 1, 3.0, 3.0, 1, "scalar"));
        assertEquals(c, Checkpoint.load(library, "best").config(), "a checkpoint outside a run has nothing to match");
    }
}
