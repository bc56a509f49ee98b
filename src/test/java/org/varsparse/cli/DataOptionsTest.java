package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.UserError;

/**
 * The data of an existing run as eval, encode and classify take it ({@link DataOptions#ofRun}) and as train --resume
 * does ({@link DataOptions#resumed}): the run's own data, where the options only say where that data is now (a folder
 * that moved), and anything naming other data is refused rather than used silently.
 */
class DataOptionsTest {
    private static final DataSpec PATCH_RUN = DataSpec.DEFAULT.withPhotos(Path.of("/photos/old"), 500, 100, 0.25);

    @TempDir
    Path tmp;

    private static UserError refused(DataOptions o, DataSpec run, String command) {
        UserError e = assertThrows(UserError.class, () -> o.ofRun(run, command));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void photosOfAPatchRunThatMovedKeepItsCountsAndGate() {
        DataOptions o = new DataOptions();
        o.photos = Path.of("/photos/new"); // /photos/old no longer exists: the photos moved
        DataSpec d = o.ofRun(PATCH_RUN, "eval");
        assertEquals("/photos/new", d.photos());
        assertEquals(500, d.patches());
        assertEquals(100, d.valSize());
        assertEquals(0.25, d.minRawStd());
    }

    @Test
    void noDataOptionsIsTheRunsData() {
        assertEquals(PATCH_RUN, new DataOptions().ofRun(PATCH_RUN, "eval"));
        assertEquals(DataSpec.DEFAULT, new DataOptions().ofRun(DataSpec.DEFAULT, "encode"));
    }

    @Test
    void theRunsOwnCountGivenAgainIsAccepted() {
        DataOptions o = new DataOptions();
        o.valSize = 100;
        o.patches = 500;
        assertEquals(PATCH_RUN, o.ofRun(PATCH_RUN, "eval"));
    }

    @Test
    void anotherCountIsRefusedNotUsed() {
        DataOptions o = new DataOptions();
        o.photos = Path.of("/photos/new");
        o.valSize = 50;
        UserError e = refused(o, PATCH_RUN, "eval");
        assertEquals("--val-size 50: the run was trained with --val-size 100. Fix: leave it out: eval uses the run's"
                + " own data (a folder that moved may be given anew)", e.getMessage());
    }

    @Test
    void anotherValidationSizeOfAnMnistRunIsRefused() {
        DataOptions o = new DataOptions();
        o.valSize = 1000;
        UserError e = refused(o, DataSpec.DEFAULT, "encode");
        assertTrue(e.getMessage().startsWith("--val-size 1000: the run was trained with --val-size 5000"), e.getMessage());
        assertTrue(e.getMessage().contains("Fix: leave it out: encode uses the run's own data"), e.getMessage());
    }

    @Test
    void photosForAnMnistRunAreRefused() {
        DataOptions o = new DataOptions();
        o.photos = Path.of("/photos/new");
        UserError e = refused(o, DataSpec.DEFAULT, "classify");
        assertTrue(e.getMessage().startsWith("--photos /photos/new: the run was trained on MNIST"), e.getMessage());
    }

    @Test
    void mnistOptionsForAPatchRunAreRefused() {
        DataOptions o = new DataOptions();
        o.mnistDir = Path.of("/idx");
        UserError e = refused(o, PATCH_RUN, "eval");
        assertTrue(e.getMessage().startsWith("--mnist-dir /idx: the run was trained on patches of the photos in"
                + " /photos/old"), e.getMessage());
    }

    @Test
    void anotherExistingIdxFolderIsRefusedTheSameFolderInAnotherSpellingIsNot() throws IOException {
        Path trained = Files.createDirectories(tmp.resolve("mnist"));
        Path other = Files.createDirectories(tmp.resolve("inverted"));
        DataSpec run = DataSpec.DEFAULT.withSource(trained, null).withAnySize(true).withValSize(20);
        DataOptions o = new DataOptions();
        o.mnistDir = other;
        o.allowSmallData = true;
        UserError e = refused(o, run, "eval");
        assertTrue(e.getMessage().startsWith("--mnist-dir " + other + ": the run was trained on " + trained
                + ", another folder"), e.getMessage());
        assertTrue(e.getMessage().endsWith("eval uses the run's own data (a folder that moved may be given anew once"
                + " the old one is gone)"), e.getMessage());
        o.mnistDir = tmp.resolve("inverted/../mnist");
        o.valSize = 20;
        assertEquals(run, o.ofRun(run, "eval"));
    }

    @Test
    void anIdxFolderThatMovedMayBeGivenAnew() throws IOException {
        Path now = Files.createDirectories(tmp.resolve("moved"));
        DataSpec run = DataSpec.DEFAULT.withSource(tmp.resolve("gone"), null);
        DataOptions o = new DataOptions();
        o.mnistDir = now;
        assertEquals(now.toString(), o.ofRun(run, "encode").mnistDir());
    }

    @Test
    void anotherCacheFolderIsTheSameChecksummedData() {
        DataOptions o = new DataOptions();
        o.dataDir = tmp.resolve("cache2");
        DataSpec d = o.ofRun(DataSpec.DEFAULT, "eval");
        assertEquals(tmp.resolve("cache2").toString(), d.dataDir());
        assertEquals(DataSpec.DEFAULT.valSize(), d.valSize());
    }

    @Test
    void allowSmallDataForAFullSizeRunIsRefused() {
        DataOptions o = new DataOptions();
        o.allowSmallData = true;
        assertTrue(refused(o, DataSpec.DEFAULT, "eval").getMessage().startsWith(
                "--allow-small-data: the run was trained without it"));
    }

    @Test
    void resumingSaysSoInItsFix() {
        DataOptions o = new DataOptions();
        o.valSize = 1000;
        UserError e = assertThrows(UserError.class, () -> o.resumed(DataSpec.DEFAULT, null));
        assertEquals("--val-size 1000: the run was trained with --val-size 5000 and a resumed run keeps its data."
                + " Fix: leave it out when resuming (only --epochs may change), or start a new run", e.getMessage());
    }

    @Test
    void aNewRunTakesTheOptionsAsGiven() {
        DataOptions o = new DataOptions();
        o.photos = Path.of("/photos");
        o.valSize = 50;
        DataSpec d = o.resolve(7);
        assertEquals(50, d.valSize());
        assertEquals(DataSpec.DEFAULT_PATCHES, d.patches());
        assertEquals(7, d.trainLimit());
    }
}
