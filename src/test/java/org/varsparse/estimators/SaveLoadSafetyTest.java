package org.varsparse.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.UserError;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;

/**
 * DictionaryLearning.save never deletes what is not a checkpoint, and load's errors give a library caller a fix it can
 * use (not a command-line option).
 */
class SaveLoadSafetyTest {
    @TempDir
    Path tmp;

    private static DictionaryLearning dl;

    @BeforeAll
    static void fit() {
        Matrix x = Matrix.uniform(20, 9, -1f, 1f, new SplittableRandom(1));
        dl = DictionaryLearning.builder(4).epochs(1).batchSize(10).maxInferenceSteps(5).seed(1)
                .backend(new ScalarOps()).build().fit(x);
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void saveKeepsAUsersFolderAndFile() throws IOException {
        Path mine = Files.createDirectories(tmp.resolve("mydata"));
        Files.writeString(mine.resolve("important.txt"), "precious");
        UserError e = assertThrows(UserError.class, () -> dl.save(mine));
        assertTrue(e.getMessage().startsWith(mine + ": ") && e.getMessage().contains("Fix: save to a new or empty"),
                e.getMessage());
        assertEquals(List.of("important.txt"), names(mine));

        Path file = Files.writeString(tmp.resolve("afile.txt"), "precious");
        UserError f = assertThrows(UserError.class, () -> dl.save(file));
        assertTrue(f.getMessage().startsWith(file + ": is a file, not a checkpoint folder"), f.getMessage());
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void saveIntoAnEmptyFolderThenOverItselfRoundTrips() {
        Path model = tmp.resolve("model");
        dl.save(model);
        dl.save(model); // replaces its own checkpoint
        assertArrayEquals(dl.components().data, DictionaryLearning.load(model).components().data);
    }

    @Test
    void loadErrorsNameNoCommandLineOption() throws IOException {
        Path nope = tmp.resolve("nope");
        UserError missing = assertThrows(UserError.class, () -> DictionaryLearning.load(nope));
        assertTrue(missing.getMessage().startsWith(nope + ": no such checkpoint. Fix: pass the folder"
                + " DictionaryLearning.save wrote"), missing.getMessage());
        Path file = Files.writeString(tmp.resolve("f.txt"), "x");
        UserError isFile = assertThrows(UserError.class, () -> DictionaryLearning.load(file));
        assertTrue(isFile.getMessage().startsWith(file + ": is a file, not a checkpoint folder. Fix: "),
                isFile.getMessage());
        Path model = tmp.resolve("model");
        dl.save(model);
        Files.writeString(model.resolve("checkpoint.json"), "{bad");
        UserError corrupt = assertThrows(UserError.class, () -> DictionaryLearning.load(model));
        assertTrue(corrupt.getMessage().contains("corrupt JSON"), corrupt.getMessage());
        for (UserError e : List.of(missing, isFile, corrupt)) {
            assertFalse(e.getMessage().contains("--checkpoint") || e.getMessage().contains("varsparse train"),
                    e.getMessage());
        }
    }
}
