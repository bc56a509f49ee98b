package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sweep} refuses options it cannot honour before it creates anything or trains a point: options given twice,
 * train options that the sweep sets itself for each point (λ, preset), and pass-through options train would refuse.
 * Each refusal is one line naming the option, exit status 2, and no sweep folder.
 */
class SweepOptionsTest {
    /**
     * The sweep's one-line error for {@code more} (after a valid one-point sweep into {@code out}), checked. The
     * MNIST folder does not exist: a sweep that got past the other checks fails on that one, before creating anything.
     */
    private static String refused(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("sweep", "--presets", "mnist-vdl", "--factors", "1", "--epochs", "1",
                "--out", out.toString(), "--backend", "scalar", "--mnist-dir", out.resolveSibling("no-mnist").toString()));
        a.addAll(List.of(more));
        TinyMnist.Result r = TinyMnist.run(a.toArray(String[]::new));
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.errLines().size(), "one line, no stack trace or progress: " + r.err());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("error: ") && line.contains(". Fix: "), line);
        assertFalse(Files.exists(out), "nothing created: " + out);
        return line;
    }

    @Test
    void refusesTheSparsityRegItSetsItself(@TempDir Path tmp) {
        String line = refused(tmp.resolve("s"), "--sparsity-reg", "0.1");
        assertTrue(line.startsWith("error: --sparsity-reg 0.1: ") && line.contains("--factors"), line);
        line = refused(tmp.resolve("s"), "--sparsity-reg=0.1");
        assertTrue(line.startsWith("error: --sparsity-reg 0.1: "), line);
    }

    @Test
    void refusesThePresetItSetsItself(@TempDir Path tmp) {
        String line = refused(tmp.resolve("s"), "--preset", "mnist-sdl");
        assertTrue(line.startsWith("error: --preset mnist-sdl: ") && line.contains("--presets"), line);
    }

    @Test
    void refusesAnUnknownOptionBeforeCreatingTheSweep(@TempDir Path tmp) {
        String line = refused(tmp.resolve("s"), "--bogus-opt", "3");
        assertTrue(line.contains("--bogus-opt") && line.contains("train --help"), line);
    }

    @Test
    void refusesAValueTrainWouldRefuse(@TempDir Path tmp) {
        String line = refused(tmp.resolve("s"), "--batch-size", "0");
        assertTrue(line.startsWith("error: --batch-size 0: "), line);
        line = refused(tmp.resolve("s"), "--code-dim", "many");
        assertTrue(line.contains("--code-dim") && line.contains("many"), line);
        line = refused(tmp.resolve("s"), "--threads", "0");
        assertTrue(line.startsWith("error: --threads 0: "), line);
        line = refused(tmp.resolve("s"), "--noise", "-1");
        assertTrue(line.startsWith("error: --noise -1.0: "), line);
    }

    @Test
    void refusesAnOptionGivenTwice(@TempDir Path tmp) {
        Path other = tmp.resolve("s2");
        String line = refused(tmp.resolve("s"), "--out", other.toString());
        assertTrue(line.startsWith("error: --out ") && line.contains("given twice") && line.contains(other.toString()), line);
        assertFalse(Files.exists(other));
        line = refused(tmp.resolve("s"), "--epochs", "2");
        assertTrue(line.startsWith("error: --epochs ") && line.contains("given twice"), line);
        line = refused(tmp.resolve("s"), "--code-dim", "16", "--code-dim", "32"); // a train option
        assertTrue(line.startsWith("error: --code-dim ") && line.contains("given twice"), line);
    }

    @Test
    void refusesEpochsWithFull(@TempDir Path tmp) {
        TinyMnist.Result r = TinyMnist.run("sweep", "--presets", "mnist-vdl", "--factors", "1", "--full", "--epochs", "3",
                "--out", tmp.resolve("s").toString(), "--mnist-dir", tmp.resolve("no-mnist").toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: --epochs 3: ") && r.err().contains("--full"), r.err());
        assertFalse(Files.exists(tmp.resolve("s")));
    }

    /**
     * A sweep started by an older varsparse with a train option that train refuses: --resume names sweep.json and
     * says to start anew, instead of failing in the first point's train run again (and advising --resume again);
     * the folder is kept.
     */
    @Test
    void resumeRefusesStoredTrainOptionsTrainWouldRefuse(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("s");
        Files.createDirectories(out);
        String json = "{\"presets\":[\"mnist-vdl\"],\"factors\":[1.0],\"epochs\":1,\"full\":false,"
                + "\"train_args\":[\"--bogus-opt\",\"3\",\"--mnist-dir\",\"" + tmp.resolve("no-mnist") + "\"]}";
        Files.writeString(out.resolve("sweep.json"), json);
        TinyMnist.Result r = TinyMnist.run("sweep", "--resume", "--out", out.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("error: " + out.resolve("sweep.json") + ": ") && line.contains("--bogus-opt")
                && line.contains("new sweep") && !line.contains("--resume"), line);
        assertEquals(json, Files.readString(out.resolve("sweep.json")));
        assertEquals(List.of(out.resolve("sweep.json")), Files.list(out).toList());
    }

    @Test
    void refusesAMissingMnistFolderBeforeCreatingTheSweep(@TempDir Path tmp) throws IOException {
        String line = refused(tmp.resolve("s"));
        assertTrue(line.startsWith("error: " + tmp.resolve("no-mnist") + ": no such folder. Fix: "), line);
        Files.writeString(tmp.resolve("no-mnist"), "a file");
        line = refused(tmp.resolve("s"));
        assertTrue(line.startsWith("error: " + tmp.resolve("no-mnist") + ": is a file, not a folder. Fix: "), line);
    }

    /** The same preset or factor twice would train one point twice, into one folder: refused, 1 and 1.0 too. */
    @Test
    void refusesAPresetOrFactorGivenTwice(@TempDir Path tmp) {
        String line = refused(tmp.resolve("s"), "--presets", "MNIST-VDL"); // --presets mnist-vdl,MNIST-VDL
        assertTrue(line.startsWith("error: --presets mnist-vdl,MNIST-VDL: mnist-vdl is given twice"), line);
        line = refused(tmp.resolve("s"), "--factors", "2,1.0");
        assertTrue(line.startsWith("error: --factors 1,2,1.0: factor 1 is given twice") && line.contains("once"), line);
    }

    /** An NL-only option with a linear preset in --presets: the fix names --presets and the NL presets to pass. */
    @Test
    void refusesAnNlOnlyOptionNamingPresets(@TempDir Path tmp) {
        String line = refused(tmp.resolve("s"), "--hidden-dim", "64");
        assertTrue(line.startsWith("error: --hidden-dim 64: applies only to the NL decoder (one_hidden), but --presets"
                + " has the linear preset mnist-vdl. Fix: pass only NL presets with --presets mnist-vdl-nl, or leave"
                + " --hidden-dim out"), line);
        TinyMnist.Result r = TinyMnist.run("sweep", "--out", tmp.resolve("s").toString(), "--presets",
                "mnist-sdl,mnist-vdl-nl,mnist-vdl", "--weight-decay-decoder-bias", "0.1");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: --weight-decay-decoder-bias 0.1: ") && r.err().contains(
                "the linear presets mnist-sdl, mnist-vdl. Fix: pass only NL presets with --presets"
                + " mnist-sdl-nl,mnist-vdl-nl, or leave --weight-decay-decoder-bias out"), r.err());
        // NL presets only, or --decoder one_hidden: the option passes (the missing MNIST folder is refused next)
        for (String[] more : List.of(new String[] {"--presets", "mnist-sdl-nl,mnist-vdl-nl"},
                new String[] {"--presets", "mnist-vdl", "--decoder", "one_hidden"})) {
            List<String> a = new ArrayList<>(List.of("sweep", "--out", tmp.resolve("s").toString(), "--hidden-dim", "64",
                    "--mnist-dir", tmp.resolve("no-mnist").toString()));
            a.addAll(List.of(more));
            r = TinyMnist.run(a.toArray(String[]::new));
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.err().contains("no-mnist: no such folder"), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("s")));
    }

    /**
     * A train option checked only against the data (--val-size larger than the tiny training pool) fails the first
     * point: nothing is trained, so the sweep removes the folder it made (an empty folder it was given is emptied),
     * quoting train's error; the corrected sweep then works with the same --out, which --resume could not do (it
     * would reuse the option).
     */
    @Test
    void aFailedFirstPointQuotesTrainsErrorAndRemovesTheSweep(@TempDir Path tmp) throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 5);
        Path out = tmp.resolve("s");
        List<String> args = new ArrayList<>(List.of("sweep", "--presets", "mnist-vdl", "--factors", "1", "--epochs", "1",
                "--out", out.toString(), "--mnist-dir", mnist.toString(), "--allow-small-data", "--code-dim", "16",
                "--max-inference-steps", "30", "--backend", "scalar", "--val-size"));
        args.add("900");
        TinyMnist.Result r = TinyMnist.run(args.toArray(String[]::new));
        assertEquals(2, r.exit(), r.err());
        String line = r.errLines().get(r.errLines().size() - 1);
        assertTrue(line.startsWith("error: " + out + ": train mnist-vdl-x1, the sweep's first point, failed (--val-size"
                + " 900: ") && line.contains("so the sweep folder was removed") && line.contains("same --out")
                && line.split("Fix:").length == 2, line);
        assertFalse(Files.exists(out), "removed");

        Files.createDirectories(out); // an empty folder given: emptied, not removed
        r = TinyMnist.run(args.toArray(String[]::new));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("so the sweep folder was emptied"), r.err());
        assertEquals(List.of(), Files.list(out).toList());

        args.set(args.size() - 1, "250");
        r = TinyMnist.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, Files.readAllLines(out.resolve("sweep.csv")).size());
    }
}
