package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.varsparse.cli.Main;

/** The command line run in-process through its public entry point {@link Main#run}, streams captured. */
final class Cli {
    /** What the JVM itself prints first when a child JVM reads the Vector API module. */
    static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    private Cli() {
    }

    /** What one run returned and printed. */
    record Result(List<String> args, int exit, String out, String err) {
        /** The non-empty lines of stderr. */
        List<String> errLines() {
            return Arrays.stream(err.split("\\R")).filter(l -> !l.isBlank()).toList();
        }

        /**
         * Checks a user error: exit 2; on stderr exactly one line starting with {@code error: } holding
         * {@code ". Fix: "}, the last one, and otherwise only progress lines (a run that fails mid-epoch has
         * printed them); no stack trace (a child JVM's own incubator-module warning aside). Returns that line.
         */
        String userError() {
            assertEquals(2, exit, "exit status of " + args + "; stderr: " + err + "; stdout: " + out);
            List<String> lines = errLines();
            assertFalse(lines.isEmpty(), "an error line for " + args);
            String line = lines.get(lines.size() - 1);
            assertTrue(line.startsWith("error: "), "the last stderr line is the error: " + err);
            assertTrue(line.contains(". Fix: "), "the error names a fix: " + line);
            for (String l : lines.subList(0, lines.size() - 1)) {
                assertTrue(l.startsWith("  epoch ") || l.equals(INCUBATOR_WARNING),
                        "only progress lines before the error, not '" + l + "': " + err);
            }
            assertFalse(err.contains("\tat ") || err.contains("Exception") || err.contains("Error:")
                    || err.contains("internal error"), "no stack trace or exception name: " + err);
            return line;
        }
    }

    static Result run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Main.run(args.toArray(String[]::new), o, e);
        }
        return new Result(List.copyOf(args), exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result run(String... args) {
        return run(List.of(args));
    }
}
