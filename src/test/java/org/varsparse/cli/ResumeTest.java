package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** Data options must name the run's data on --resume: a change is refused and run.json stays as it was. */
    @Test
    void resumeRefusesChangedDataOptionsAndAcceptsTheSameFolderSpelledOtherwise() throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 13);
        Path run = tmp.resolve("run");
        TinyMnist.Result first = TinyMnist.run(TinyMnist.trainArgs(mnist, run, 1, "--train-limit", "300"));
        assertEquals(0, first.exit(), first.err());
        byte[] record = Files.readAllBytes(run.resolve("run.json"));
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        try (var s = Files.list(mnist)) {
            for (Path f : s.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        List<List<String>> changes = List.of(List.of("--train-limit", "600"), List.of("--val-size", "200"),
                List.of("--mnist-dir", copy.toString()), List.of("--data-dir", tmp.resolve("cache").toString()),
                List.of("--photos", photos.toString()), List.of("--patches", "10"));
        for (List<String> change : changes) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--resume", "--out", run.toString(),
                    "--epochs", "2"));
            args.addAll(change);
            TinyMnist.Result r = TinyMnist.run(args.toArray(String[]::new));
            assertEquals(2, r.exit(), change + ": " + r.out() + r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().startsWith("error: " + String.join(" ", change) + ": ") && r.err().contains("Fix: leave it out"),
                    r.err());
            assertArrayEquals(record, Files.readAllBytes(run.resolve("run.json")), change + " left run.json as it was");
        }

        // the same folder through a link and a ../ spelling, and the same values: not a change
        Path link = Files.createSymbolicLink(tmp.resolve("link"), mnist);
        TinyMnist.Result same = TinyMnist.run("train", "--resume", "--out", run.toString(), "--epochs", "2",
                "--mnist-dir", link.toString(), "--train-limit", "300", "--val-size", "250", "--allow-small-data");
        assertEquals(0, same.exit(), same.err());
        JsonNode data = Json.read(run.resolve("run.json"), "").get("data");
        assertEquals(Json.MAPPER.readTree(record).get("data"), data, "the record names the data as before");
        assertEquals(300, data.get("trainLimit").asInt());

        // the folder recorded no longer exists (the data moved): the new place is taken and recorded
        Path moved = Files.move(mnist, tmp.resolve("moved"));
        TinyMnist.Result relocated = TinyMnist.run("train", "--resume", "--out", run.toString(), "--epochs", "3",
                "--mnist-dir", tmp.resolve("x").resolve("..").resolve("moved").toString());
        assertEquals(0, relocated.exit(), relocated.err());
        assertEquals(moved.toAbsolutePath().normalize().toString(),
                Json.read(run.resolve("run.json"), "").at("/data/mnistDir").asText());
    }

    /** A damaged checkpoints/last: train --resume has no --checkpoint, so its fix is a new run; eval's is --checkpoint. */
    @Test
    void aDamagedLastCheckpointGivesAFixThatTheCommandHas() throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 14);
        Path run = tmp.resolve("run");
        assertEquals(0, TinyMnist.run(TinyMnist.trainArgs(mnist, run, 1)).exit());
        Path last = run.resolve("checkpoints").resolve("last");
        Path opt = last.resolve(Checkpoint.OPTIMIZER);
        SafeTensors.Contents c = SafeTensors.read(opt);
        c.tensors().values().iterator().next().data()[0] = Float.POSITIVE_INFINITY;
        SafeTensors.write(opt, c.tensors(), c.metadata());
        ObjectNode j = (ObjectNode) Json.read(last.resolve(Checkpoint.JSON), "");
        ObjectNode info = (ObjectNode) j.get("files").get(Checkpoint.OPTIMIZER);
        info.put("bytes", Files.size(opt));
        info.put("sha256", Checkpoint.sha256(opt)); // the checksum agrees: only the values are wrong
        Json.write(last.resolve(Checkpoint.JSON), j);

        TinyMnist.Result resume = TinyMnist.run("train", "--resume", "--out", run.toString(), "--epochs", "2");
        assertEquals(2, resume.exit());
        assertEquals(1, resume.errLines().size(), resume.err());
        assertTrue(resume.err().contains(opt + ": tensor ") && resume.err().contains("Infinity"), resume.err());
        assertTrue(resume.err().contains("Fix: train anew into another --out"), resume.err());
        assertFalse(resume.err().contains("--checkpoint last"), "train has no --checkpoint: " + resume.err());

        TinyMnist.Result eval = TinyMnist.run("eval", "--run", run.toString(), "--checkpoint", "last", "--no-fista");
        assertEquals(2, eval.exit());
        assertTrue(eval.err().contains("Fix: pass --checkpoint best to use the run's other checkpoint"), eval.err());
        assertFalse(eval.err().contains("resume"), "eval resumes nothing: " + eval.err());
    }

    /**
     * --hidden-dim on a linear run is refused on resume too, unless it is the value the run recorded (older versions
     * saved it for linear runs, and a sweep's --resume passes it again).
     */
    @Test
    void resumeOfALinearRunRefusesANewHiddenWidthButNotTheRecordedOne() throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 15);
        Path run = tmp.resolve("run");
        assertEquals(0, TinyMnist.run(TinyMnist.trainArgs(mnist, run, 1)).exit());
        TinyMnist.Result refused = TinyMnist.run("train", "--resume", "--out", run.toString(), "--epochs", "2",
                "--hidden-dim", "64");
        assertEquals(2, refused.exit());
        assertTrue(refused.err().contains("--hidden-dim 64: applies only to the NL decoder (one_hidden), but the run has"
                + " the linear decoder. Fix: leave --hidden-dim out when resuming"), refused.err());

        Path ck = run.resolve("checkpoints").resolve("last").resolve(Checkpoint.JSON); // as an older version saved it
        ObjectNode j = (ObjectNode) Json.read(ck, "");
        ((ObjectNode) j.get("hyperparameters")).put("hiddenDim", 64);
        Json.write(ck, j);
        TinyMnist.Result same = TinyMnist.run("train", "--resume", "--out", run.toString(), "--epochs", "2",
                "--hidden-dim", "64");
        assertEquals(0, same.exit(), same.err());
    }
}
