package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * train's messages say what is checked: a range names the bound that is really enforced, and --out says which kind of
 * folder it refuses and a fix that works for it.
 */
class TrainOutAndRangeTest {
    @TempDir
    Path tmp;

    private static TinyMnist.Result refused(String... args) {
        TinyMnist.Result r = TinyMnist.run(args);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("Fix: "), r.err());
        return r;
    }

    /** The error names the option with its value, says the bound checked, and nothing that is not so. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--val-size 0|--val-size 0: must be at least 1 (the validation images pick the best epoch)|pool holds",
            "--train-limit 0|--train-limit 0: must be at least 1|pool holds",
            "--photos PHOTOS --raw-std-min -1|--raw-std-min -1.0: must be a number >= 0 (0 disables the gate)|--patches",
            "--photos PHOTOS --patches 0|--patches 0: must be at least 1|gate",
            "--hidden-dim 64|--hidden-dim 64: applies only to the NL decoder (one_hidden), but preset mnist-vdl has the linear decoder|xx",
    })
    void aRangeErrorSaysTheBoundThatIsChecked(String options, String message, String notSaid) throws IOException {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        List<String> args = new ArrayList<>(List.of("train", "--out", tmp.resolve("run").toString(), "--epochs", "1"));
        for (String o : options.split(" ")) {
            args.add(o.equals("PHOTOS") ? photos.toString() : o);
        }
        TinyMnist.Result r = refused(args.toArray(String[]::new));
        assertTrue(r.err().contains("error: " + message + ". Fix: "), r.err());
        assertFalse(r.err().contains(notSaid), r.err());
        assertFalse(Files.exists(tmp.resolve("run")), "refused before a run folder is made");
    }

    @Test
    void aValSizeAsLargeAsThePoolSaysThePoolSize() throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 3);
        TinyMnist.Result r = refused(TinyMnist.trainArgs(mnist, tmp.resolve("run"), 1, "--val-size",
                Integer.toString(TinyMnist.TRAIN_POOL)));
        assertTrue(r.err().contains("--val-size 850: must leave training images, but the training pool holds only 850."
                + " Fix: pass a validation size between 1 and 849"), r.err());
    }

    @Test
    void aNonEmptyFolderThatIsNoRunIsNotSentToResume() throws IOException {
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "the user's own file");
        TinyMnist.Result r = refused("train", "--out", mine.toString(), "--epochs", "1");
        assertTrue(r.err().contains(mine + ": is not empty and holds no run (no run.json)"), r.err());
        assertTrue(r.err().contains("Fix: pass --out a new or empty folder"), r.err());
        assertFalse(r.err().contains("--resume"), "--resume needs run.json, which this folder lacks: " + r.err());
        assertEquals("the user's own file", Files.readString(mine.resolve("notes.txt")));

        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("run.json"), "{}");
        TinyMnist.Result again = refused("train", "--out", run.toString(), "--epochs", "1");
        assertTrue(again.err().contains(run + ": already holds a run. Fix: continue that run with --resume"), again.err());
    }

    @Test
    void anOutUnderAFileSaysTheFileIsInTheWay() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        TinyMnist.Result r = refused("train", "--out", file.resolve("run").toString(), "--epochs", "1");
        assertTrue(r.err().contains("cannot write it: " + file + " is a file, not a folder"), r.err());
        assertFalse(r.err().contains("does not exist"), r.err());
    }

    /** /proc exists but takes no folders: the message must not say it does not exist. */
    @Test
    void anOutInAFolderThatTakesNoNewFoldersNamesThatFolder() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux /proc");
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 4);
        TinyMnist.Result r = refused(TinyMnist.trainArgs(mnist, Path.of("/proc/varsparse-test-run"), 1));
        assertTrue(r.err().contains("/proc/varsparse-test-run: cannot write it: "), r.err());
        assertTrue(r.err().contains("/proc exists but takes no new folders") || r.err().contains("permission denied in /proc"),
                r.err());
        assertFalse(r.err().contains("does not exist"), r.err());
    }
}
