package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * eval, encode and classify work on a run's own data and checkpoints, and never write over the run's files: other IDX
 * files, another validation size, another run's checkpoint copied in and an --out naming run.json are refused with
 * one line, and the run's files are left as they were.
 */
class RunOwnDataTest {
    @TempDir
    static Path tmp;
    static Path mnist;
    static Path run;

    @BeforeAll
    static void trainOneEpoch() {
        try {
            mnist = TinyMnist.write(tmp.resolve("mnist"), 7);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run = tmp.resolve("run");
        TinyMnist.Result t = TinyMnist.run(TinyMnist.trainArgs(mnist, run, 1));
        assertEquals(0, t.exit(), t.err());
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one-line error of a refused command, after checking exit status 2 and that {@code kept} did not change. */
    private static String refused(List<Path> kept, String... args) {
        List<byte[]> before = kept.stream().map(RunOwnDataTest::bytes).toList();
        TinyMnist.Result r = TinyMnist.run(args);
        assertEquals(2, r.exit(), r.err());
        for (int i = 0; i < kept.size(); i++) {
            assertArrayEquals(before.get(i), bytes(kept.get(i)), kept.get(i) + " is left as it was");
        }
        List<String> lines = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, lines.size(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        return lines.get(0);
    }

    @Test
    void evalOnOtherIdxFilesIsRefusedAndKeepsEvalJson() throws IOException {
        Path other = TinyMnist.write(tmp.resolve("other-mnist"), 99);
        String e = refused(List.of(run.resolve("eval.json")), "eval", "--run", run.toString(), "--mnist-dir",
                other.toString(), "--allow-small-data", "--val-size", "250", "--no-fista", "--backend", "scalar");
        assertTrue(e.startsWith("error: --mnist-dir " + other + ": the run was trained on " + mnist.toAbsolutePath()
                + ", another folder. Fix: leave it out: eval uses the run's own data"), e);
    }

    @Test
    void evalWithTrainsOwnDataOptionsStillRuns() {
        TinyMnist.Result r = TinyMnist.run("eval", "--run", run.toString(), "--checkpoint", "last", "--mnist-dir",
                tmp.resolve("run/../mnist").toString(), "--allow-small-data", "--val-size", "250", "--no-fista",
                "--backend", "scalar");
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void encodeWithAnotherValidationSizeWritesNothing() {
        Path codes = tmp.resolve("val-codes.npy");
        String e = refused(List.of(), "encode", "--run", run.toString(), "--split", "val", "--val-size", "100",
                "--out", codes.toString(), "--backend", "scalar");
        assertEquals("error: --val-size 100: the run was trained with --val-size 250. Fix: leave it out: encode uses"
                + " the run's own data (a folder that moved may be given anew)", e);
        assertFalse(Files.exists(codes));
    }

    @Test
    void classifyWithPhotosOfAnMnistRunIsRefused() {
        String e = refused(List.of(), "classify", "--run", run.toString(), "--photos", tmp.toString(), "--n", "1");
        assertTrue(e.startsWith("error: --photos " + tmp + ": the run was trained on MNIST"), e);
    }

    @Test
    void anotherRunsCheckpointCopiedInIsRefused() throws IOException {
        Path copy = copyTree(run, tmp.resolve("swapped"));
        Path other = tmp.resolve("other-run");
        String[] args = TinyMnist.trainArgs(mnist, other, 1);
        args[List.of(args).indexOf("--code-dim") + 1] = "8";
        TinyMnist.Result t = TinyMnist.run(args);
        assertEquals(0, t.exit(), t.err());
        Path best = copy.resolve("checkpoints/best");
        try (Stream<Path> s = Files.list(best)) {
            for (Path f : s.toList()) {
                Files.copy(other.resolve("checkpoints/best").resolve(f.getFileName()), f,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<Path> kept = List.of(copy.resolve("eval.json"), copy.resolve(RunDir.RUN_JSON));
        String e = refused(kept, "eval", "--run", copy.toString(), "--no-fista", "--force", "--backend", "scalar");
        assertTrue(e.startsWith("error: " + best + ": is not this run's checkpoint: its codeDim 8 (run.json: 16)"), e);
        assertTrue(e.contains("Fix: pass --checkpoint last to use the run's other checkpoint"), e);
        Path codes = tmp.resolve("swapped-codes.npy");
        refused(kept, "encode", "--run", copy.toString(), "--split", "test", "--out", codes.toString());
        assertFalse(Files.exists(codes));
        TinyMnist.Result last = TinyMnist.run("encode", "--run", copy.toString(), "--checkpoint", "last", "--split",
                "test", "--out", codes.toString(), "--backend", "scalar");
        assertEquals(0, last.exit(), "the run's own checkpoint still loads: " + last.err());
    }

    @Test
    void encodeNeverWritesOverTheRunsOwnFilesEvenWithForce() throws IOException {
        List<Path> own = List.of(run.resolve(RunDir.RUN_JSON), run.resolve("metrics.jsonl"), run.resolve("eval.json"),
                run.resolve("checkpoints/best/model.safetensors"), run.resolve("checkpoints/last/checkpoint.json"));
        for (Path f : own) {
            String e = refused(own, "encode", "--run", run.toString(), "--split", "test", "--out", f.toString(),
                    "--force");
            assertTrue(e.startsWith("error: " + f + ": is "), e);
            assertTrue(e.contains("which the run needs (--force replaces earlier results, never a run's files)"), e);
        }
        Path otherSpelling = tmp.resolve("mnist/../run/run.json");
        assertTrue(refused(own, "encode", "--run", run.toString(), "--split", "test", "--out",
                otherSpelling.toString(), "--force").contains("is the run.json of run "), "another spelling");
        Path newFile = run.resolve("checkpoints/best-codes.npy"); // a new name under checkpoints/ is the run's too
        refused(own, "encode", "--run", run.toString(), "--split", "test", "--out", newFile.toString());
        assertFalse(Files.exists(newFile));

        Path beside = run.resolve("codes.npy");
        TinyMnist.Result ok = TinyMnist.run("encode", "--run", run.toString(), "--split", "test", "--out",
                beside.toString(), "--backend", "scalar");
        assertEquals(0, ok.exit(), "a new name in the run folder is fine: " + ok.err());
    }

    @Test
    void classifyIntoTheCheckpointsIsRefused() {
        Path into = run.resolve("checkpoints/best");
        String e = refused(List.of(run.resolve("checkpoints/best/checkpoint.json")), "classify", "--run",
                run.toString(), "--n", "1", "--out", into.toString(), "--force");
        assertTrue(e.startsWith("error: " + into.resolve("classification.csv") + ": is in the checkpoints of run "), e);
        assertFalse(Files.exists(into.resolve("classification.csv")));
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return to;
    }
}
