package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.varsparse.UserError;

/**
 * The data of an existing run as eval, encode and classify resolve it: the run's own data, where {@code --photos}
 * only says where its photos are now (not a new set of patch counts), and options of the other kind of data are
 * refused rather than evaluated on other data.
 */
class DataOptionsTest {
    private static final DataSpec PATCH_RUN = DataSpec.DEFAULT.withPhotos(Path.of("/photos/old"), 500, 100, 0.25);

    @Test
    void photosOfAPatchRunKeepItsCountsAndGate() {
        DataOptions o = new DataOptions();
        o.photos = Path.of("/photos/new");
        DataSpec d = o.resolve(PATCH_RUN, null);
        assertEquals("/photos/new", d.photos());
        assertEquals(500, d.patches());
        assertEquals(100, d.valSize());
        assertEquals(0.25, d.minRawStd());
    }

    @Test
    void noDataOptionsIsTheRunsData() {
        assertEquals(PATCH_RUN, new DataOptions().resolve(PATCH_RUN, null));
        assertEquals(DataSpec.DEFAULT, new DataOptions().resolve(DataSpec.DEFAULT, null));
    }

    @Test
    void aCountGivenStillWins() {
        DataOptions o = new DataOptions();
        o.photos = Path.of("/photos/new");
        o.valSize = 50;
        assertEquals(50, o.resolve(PATCH_RUN, null).valSize());
        assertEquals(500, o.resolve(PATCH_RUN, null).patches());
    }

    @Test
    void photosForAnMnistRunAreRefused() {
        DataOptions o = new DataOptions();
        o.photos = Path.of("/photos/new");
        UserError e = assertThrows(UserError.class, () -> o.resolve(DataSpec.DEFAULT, null));
        assertTrue(e.getMessage().startsWith("--photos /photos/new: the run was trained on MNIST"), e.getMessage());
    }

    @Test
    void mnistOptionsForAPatchRunAreRefused() {
        DataOptions o = new DataOptions();
        o.mnistDir = Path.of("/idx");
        UserError e = assertThrows(UserError.class, () -> o.resolve(PATCH_RUN, null));
        assertTrue(e.getMessage().startsWith("--mnist-dir /idx: the run was trained on patches of the photos in /photos/old"),
                e.getMessage());
    }
}
