package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.varsparse.backend.Backends;

/**
 * The command line's backend: {@code --backend}, else {@code -Dvarsparse.backend} (what the README says is the
 * same setting), else auto; an unavailable or unknown one is one line with one fix.
 */
class BackendOptionsTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(Backends.PROPERTY);
    }

    @Test
    void thePropertyChoosesTheBackendWhenTheOptionIsAbsent() {
        System.setProperty(Backends.PROPERTY, "scalar");
        TinyMnist.Result r = TinyMnist.run("info");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("selected:     scalar (1 thread)  (-Dvarsparse.backend=scalar)"), r.out());
    }

    @Test
    void theOptionWinsOverTheProperty() {
        System.setProperty(Backends.PROPERTY, "scalar");
        TinyMnist.Result r = TinyMnist.run("info", "--backend", "simd");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("selected:     simd (") && r.out().contains("(--backend simd)"), r.out());
    }

    @Test
    void anUnknownPropertyValueIsOneLineNamingIt() {
        System.setProperty(Backends.PROPERTY, "gpu");
        TinyMnist.Result r = TinyMnist.run("info");
        assertEquals(2, r.exit());
        assertEquals(List.of("error: -Dvarsparse.backend=gpu: is not a backend. Fix: use auto, scalar, simd or tornado,"
                + " or leave it out"), r.errLines());
        assertEquals("", r.out(), "no half-printed info table before the error");
    }

    /** Without the tornado/ jar (the core's tests), tornado by option or by property: one line, the fix once. */
    @Test
    void tornadoWithoutTornadoVmNamesTheFixOnce() {
        TinyMnist.Result byOption = TinyMnist.run("info", "--backend", "tornado");
        System.setProperty(Backends.PROPERTY, "tornado");
        TinyMnist.Result byProperty = TinyMnist.run("info");
        for (TinyMnist.Result r : List.of(byOption, byProperty)) {
            assertEquals(2, r.exit());
            assertEquals(1, r.errLines().size(), r.err());
            String line = r.errLines().get(0);
            assertTrue(line.contains("TORNADO_SDK") && line.contains("./run.sh"), line);
            assertEquals(line.indexOf("Fix:"), line.lastIndexOf("Fix:"), "one fix: " + line);
            assertTrue(!line.contains("(fix:"), line);
        }
        assertTrue(byOption.errLines().get(0).startsWith("error: --backend tornado: "), byOption.err());
        assertTrue(byProperty.errLines().get(0).startsWith("error: -Dvarsparse.backend=tornado: "), byProperty.err());
    }

    /** Thousands of threads fail to start (OutOfMemoryError deep in the backend): the option's range says so first. */
    @Test
    void tooManyThreadsIsOneLineWithTheRange() {
        int max = Backends.maxThreads();
        TinyMnist.Result r = TinyMnist.run("info", "--threads", "100000");
        assertEquals(2, r.exit());
        assertEquals(List.of("error: --threads 100000: is more than " + max + " (4 per core, at least 16). Fix: pass a"
                + " thread count from 1 to " + max + ", or leave it out to use all cores"), r.errLines());
        TinyMnist.Result most = TinyMnist.run("info", "--threads", Integer.toString(max), "--backend", "simd");
        assertEquals(0, most.exit(), most.err());
        assertTrue(most.out().contains(max + " threads)"), most.out());
    }
}
