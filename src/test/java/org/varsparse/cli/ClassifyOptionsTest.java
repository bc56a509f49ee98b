package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code classify} refuses a count or a feature set given twice (it would train those classifiers twice and print
 * duplicate rows) in one line, before it reads the run.
 */
class ClassifyOptionsTest {
    private static String refused(String... args) {
        TinyMnist.Result r = TinyMnist.run(args);
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        return r.errLines().get(0);
    }

    @Test
    void refusesACountOrFeatureSetGivenTwice(@TempDir Path tmp) {
        String run = tmp.resolve("no-run").toString(); // the options are checked first
        String line = refused("classify", "--run", run, "--n", "1,5,1", "--features", "codes");
        assertTrue(line.startsWith("error: --n 1,5,1: 1 is given twice. Fix: "), line);
        line = refused("classify", "--run", run, "--n", "1", "--n", "1");
        assertTrue(line.startsWith("error: --n 1,1: 1 is given twice"), line);
        line = refused("classify", "--run", run, "--n", "1", "--features", "codes,pixels,codes");
        assertTrue(line.startsWith("error: --features codes,pixels,codes: codes is given twice. Fix: "), line);
        // distinct values pass these checks: the run is what is refused then
        line = refused("classify", "--run", run, "--n", "1,5", "--features", "codes,pixels");
        assertTrue(line.startsWith("error: " + run), line);
    }
}
