package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.varsparse.io.SafeTensors;

/** --resume continues from the last checkpoint and gives bit-identical numbers to an uninterrupted run. */
class ResumeTest {
    @TempDir
    Path tmp;

    /** scalar, and auto (the simd backend with its worker threads where the Vector API is usable). */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "auto"})
    void oneEpochPlusResumeEqualsTwoEpochsBitForBit(String backend) throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 11);
        Path straight = tmp.resolve("straight");
        Path resumed = tmp.resolve("resumed");
        assertEquals(0, TinyMnist.run(TinyMnist.trainArgs(mnist, straight, 2, "--backend", backend)).exit());
        TinyMnist.Result first = TinyMnist.run(TinyMnist.trainArgs(mnist, resumed, 1, "--backend", backend));
        assertEquals(0, first.exit(), first.err());
        // an interrupted append (a crash mid-line) must not survive the resume
        Files.writeString(resumed.resolve("metrics.jsonl"), "{\"epoch\":2,\"seconds\"", StandardOpenOption.APPEND);
        TinyMnist.Result more = TinyMnist.run("train", "--resume", "--out", resumed.toString(), "--epochs", "2",
                "--backend", backend);
        assertEquals(0, more.exit(), more.err());
        assertTrue(more.out().contains("resuming after epoch 1"), more.out());

        for (String ck : List.of("last", "best")) {
            for (String f : List.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER)) {
                Path a = straight.resolve("checkpoints").resolve(ck).resolve(f);
                Path b = resumed.resolve("checkpoints").resolve(ck).resolve(f);
                SafeTensors.Contents ca = SafeTensors.read(a), cb = SafeTensors.read(b);
                assertEquals(ca.tensors().keySet(), cb.tensors().keySet());
                for (Map.Entry<String, SafeTensors.Tensor> e : ca.tensors().entrySet()) {
                    assertArrayEquals(e.getValue().data(), cb.tensors().get(e.getKey()).data(), ck + "/" + f + " " + e.getKey());
                }
                assertEquals(ca.metadata(), cb.metadata(), ck + "/" + f + " metadata (Adam step counts, lr)");
                assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), ck + "/" + f + " byte for byte");
            }
        }
        assertEquals(withoutTimings(straight), withoutTimings(resumed));
        assertEquals(Json.read(straight.resolve("eval.json"), "").get("denoising"),
                Json.read(resumed.resolve("eval.json"), "").get("denoising"));
        JsonNode run = Json.read(resumed.resolve("run.json"), "");
        assertEquals(2, run.get("commands").size(), "run.json keeps the history of commands");
        assertEquals(2, run.at("/hyperparameters/epochs").asInt());
    }

    private static List<String> withoutTimings(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8).stream().map(l -> {
            try {
                ObjectNode n = (ObjectNode) Json.MAPPER.readTree(l);
                n.remove(List.of("seconds", "train_seconds", "heap_peak_bytes"));
                return n.toString();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void resumeRefusesChangedHyperparametersAndFinishedRuns() throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 12);
        Path run = tmp.resolve("run");
        assertEquals(0, TinyMnist.run(TinyMnist.trainArgs(mnist, run, 1)).exit());
        TinyMnist.Result changed = TinyMnist.run("train", "--resume", "--out", run.toString(), "--epochs", "2",
                "--sparsity-reg", "0.5");
        assertEquals(2, changed.exit());
        assertEquals(1, changed.errLines().size(), changed.err());
        assertTrue(changed.err().contains("--sparsity-reg 0.5") && changed.err().contains("Fix:"), changed.err());
        TinyMnist.Result same = TinyMnist.run("train", "--resume", "--out", run.toString(), "--sparsity-reg", "0.02",
                "--epochs", "1");
        assertEquals(2, same.exit());
        assertTrue(same.err().contains("already trained 1 of 1 epochs"), same.err());
        Path stopped = Files.createDirectories(tmp.resolve("stopped"));
        Files.copy(run.resolve("run.json"), stopped.resolve("run.json"));
        TinyMnist.Result early = TinyMnist.run("train", "--resume", "--out", stopped.toString(), "--epochs", "2");
        assertEquals(2, early.exit());
        assertTrue(early.err().contains("has no checkpoint"), early.err());
        TinyMnist.Result noOut = TinyMnist.run("train", "--resume");
        assertEquals(2, noOut.exit());
        assertTrue(noOut.err().contains("--out"), noOut.err());
    }
}
