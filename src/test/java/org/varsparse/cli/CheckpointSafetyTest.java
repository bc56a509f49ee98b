package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.UserError;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.eval.Metrics;
import org.varsparse.tensor.Matrix;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;
import org.varsparse.train.Trainer;

/**
 * A save replaces a checkpoint only, never a user's file or folder; and the fix in a load error fits its caller (the
 * {@code --checkpoint} option for a run's checkpoint, the library's way on for a folder DictionaryLearning saved).
 */
class CheckpointSafetyTest {
    @TempDir
    Path tmp;

    private static Checkpoint.State state(int epoch) {
        TrainConfig c = Preset.MNIST_VDL.config().with("codeDim", 4).with("batchSize", 5).with("maxInferenceSteps", 5);
        Trainer t = new Trainer(c, new ScalarOps(), 9, Metrics.Normalization.MNIST);
        t.step(Matrix.uniform(5, 9, 0f, 1f, new SplittableRandom(3)));
        return Checkpoint.of(t, epoch, 1.0, 1.0, epoch, "scalar");
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void refused(UserError e, Path where, String problem) {
        String m = e.getMessage();
        assertTrue(m.startsWith(where + ": ") && m.contains(problem) && m.contains("Fix: "), m);
    }

    @Test
    void aFolderOfTheUsersIsNeitherDeletedNorMixedWithACheckpoint() throws IOException {
        Path mine = Files.createDirectories(tmp.resolve("mydata"));
        Files.writeString(mine.resolve("important.txt"), "precious");
        UserError e = assertThrows(UserError.class, () -> Checkpoint.save(tmp, "mydata", state(1)));
        refused(e, mine, "important.txt");
        assertTrue(e.getMessage().contains("new or empty folder"), e.getMessage());
        assertEquals(List.of("important.txt"), names(mine));
        assertEquals("precious", Files.readString(mine.resolve("important.txt")));
        assertEquals(List.of("mydata"), names(tmp), "nothing written beside it");
    }

    @Test
    void aFolderHoldingACheckpointJsonAndOtherFilesIsRefused() throws IOException {
        Path mine = Files.createDirectories(tmp.resolve("mixed"));
        Files.writeString(mine.resolve(Checkpoint.JSON), "{}");
        Files.writeString(mine.resolve("notes.md"), "mine");
        refused(assertThrows(UserError.class, () -> Checkpoint.save(tmp, "mixed", state(1))), mine, "notes.md");
        assertEquals(List.of(Checkpoint.JSON, "notes.md"), names(mine));
    }

    @Test
    void aFolderOfCheckpointFileNamesWithoutCheckpointJsonIsRefused() throws IOException {
        Path mine = Files.createDirectories(tmp.resolve("weights"));
        Files.writeString(mine.resolve(Checkpoint.MODEL), "someone else's");
        refused(assertThrows(UserError.class, () -> Checkpoint.save(tmp, "weights", state(1))), mine,
                "no " + Checkpoint.JSON);
        assertEquals("someone else's", Files.readString(mine.resolve(Checkpoint.MODEL)));
    }

    @Test
    void aRegularFileIsNotReplacedByACheckpoint() throws IOException {
        Path file = Files.writeString(tmp.resolve("afile.txt"), "precious");
        refused(assertThrows(UserError.class, () -> Checkpoint.save(tmp, "afile.txt", state(1))), file,
                "is a file, not a checkpoint folder");
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void aFileOfTheUsersNamedLikeTheSavesTemporaryCopyIsKept() throws IOException {
        Checkpoint.save(tmp, "model", state(1));
        Path old = Files.createDirectories(tmp.resolve(".model.old"));
        Files.writeString(old.resolve("diary.txt"), "mine");
        Path partial = Files.writeString(tmp.resolve(".model.partial"), "mine too");
        refused(assertThrows(UserError.class, () -> Checkpoint.save(tmp, "model", state(2))), partial,
                "in the way of saving model");
        Files.delete(partial);
        refused(assertThrows(UserError.class, () -> Checkpoint.save(tmp, "model", state(2))), old,
                "in the way of saving model");
        assertEquals("mine", Files.readString(old.resolve("diary.txt")));
        assertEquals(1, Checkpoint.load(tmp, "model").epoch(), "the checkpoint is as it was");
    }

    @Test
    void anEmptyFolderAndAnExistingCheckpointAreReplaced() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Checkpoint.save(tmp, "empty", state(1));
        assertEquals(1, Checkpoint.load(tmp, "empty").epoch());
        Checkpoint.save(tmp, "empty", state(2));
        assertEquals(2, Checkpoint.load(tmp, "empty").epoch());
        assertEquals(List.of(Checkpoint.JSON, Checkpoint.MODEL, Checkpoint.OPTIMIZER), names(empty));
        assertEquals(List.of("empty"), names(tmp));
    }

    @Test
    void aCheckpointWithAKilledWritesTempFileIsStillReplaced() throws IOException {
        Checkpoint.save(tmp, "ck", state(1));
        Files.writeString(tmp.resolve("ck").resolve("." + Checkpoint.MODEL + ".5f3a9c.tmp"), "half");
        Checkpoint.save(tmp, "ck", state(2));
        assertEquals(2, Checkpoint.load(tmp, "ck").epoch());
    }

    @Test
    void outsideARunTheFixesNameNoCommandLineOption() throws IOException {
        Path nope = tmp.resolve("nope");
        UserError missing = assertThrows(UserError.class, () -> Checkpoint.load(tmp, "nope"));
        assertEquals(nope + ": no such checkpoint. Fix: " + Checkpoint.FIX_LIBRARY_MISSING, missing.getMessage());
        Path file = Files.writeString(tmp.resolve("model.bin"), "x");
        UserError isFile = assertThrows(UserError.class, () -> Checkpoint.load(tmp, "model.bin"));
        assertEquals(file + ": is a file, not a checkpoint folder. Fix: " + Checkpoint.FIX_LIBRARY_MISSING,
                isFile.getMessage());
        Checkpoint.save(tmp, "model", state(1));
        Files.writeString(tmp.resolve("model").resolve(Checkpoint.JSON), "{bad");
        UserError corrupt = assertThrows(UserError.class, () -> Checkpoint.load(tmp, "model"));
        assertTrue(corrupt.getMessage().contains("corrupt JSON")
                && corrupt.getMessage().endsWith("Fix: " + Checkpoint.FIX_LIBRARY), corrupt.getMessage());
        // even a folder named like a run's, when there is no run around it
        Path ck = tmp.resolve("checkpoints");
        UserError notARun = assertThrows(UserError.class, () -> Checkpoint.load(ck, "best"));
        assertFalse(notARun.getMessage().contains("--checkpoint"), notARun.getMessage());
    }

    @Test
    void inARunTheFixesNameTheRunsOtherCheckpoint() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve(RunDir.RUN_JSON), "{}");
        Path ck = run.resolve("checkpoints");
        UserError missing = assertThrows(UserError.class, () -> Checkpoint.load(ck, "best"));
        assertEquals(ck.resolve("best") + ": no such checkpoint. Fix: train first (varsparse train), or pass"
                + " --checkpoint last", missing.getMessage());
        Checkpoint.save(ck, "last", state(1));
        Files.writeString(ck.resolve("last").resolve(Checkpoint.JSON), "{bad");
        UserError corrupt = assertThrows(UserError.class, () -> Checkpoint.load(ck, "last"));
        assertTrue(corrupt.getMessage().endsWith("Fix: pass --checkpoint best to use the run's other checkpoint,"
                + " or train anew"), corrupt.getMessage());
        Files.writeString(ck.resolve("best"), "x");
        UserError isFile = assertThrows(UserError.class, () -> Checkpoint.load(ck, "best"));
        assertTrue(isFile.getMessage().startsWith(ck.resolve("best") + ": is a file, not a checkpoint folder. Fix: pass"
                + " --checkpoint last"), isFile.getMessage());
    }
}
