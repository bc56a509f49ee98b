package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input: exit status 2, one line on stderr of the form {@code error: <what>: <problem>. Fix: <fix>}, no
 * stack trace, nothing written; {@code --debug} adds the stack trace.
 */
class BadOptionsTest {
    @TempDir
    static Path tmp;

    static Stream<Arguments> badCommands() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a folder");
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 3);
        Path small = tmp.resolve("small-run");
        String[] data = {"--mnist-dir", mnist.toString(), "--allow-small-data", "--val-size", "250"};
        return Stream.of(
                Arguments.of(List.of("train", "--preset", "mnist-xyz"), "--preset mnist-xyz"),
                Arguments.of(List.of("train", "--preset", "patch-vdl"), "--preset patch-vdl"),
                Arguments.of(List.of("train", "--patches", "500"), "--patches 500"),
                Arguments.of(List.of("train", "--sparsity-reg", "-0.5"), "--sparsity-reg -0.5"),
                Arguments.of(List.of("train", "--variance-reg", "NaN"), "--variance-reg NaN"),
                Arguments.of(List.of("train", "--code-step-size", "0"), "--code-step-size 0"),
                Arguments.of(List.of("train", "--lr-decoder", "Infinity"), "--lr-decoder Infinity"),
                Arguments.of(List.of("train", "--batch-size", "1"), "--batch-size 1"),
                Arguments.of(List.of("train", "--epochs", "0"), "--epochs 0"),
                Arguments.of(List.of("train", "--epochs", "three"), "'--epochs'"),
                Arguments.of(List.of("train", "--decoder", "one_hidden", "--hidden-dim", "0"), "--hidden-dim must be"),
                Arguments.of(List.of("train", "--backend", "gpu"), "'--backend'"),
                Arguments.of(List.of("train", "--threads", "0"), "--threads 0"),
                Arguments.of(List.of("train", "--no-such-option"), "'--no-such-option'"),
                Arguments.of(List.of("train", "--out", file.toString()), file.toString()),
                Arguments.of(List.of("train", "--out", mnist.toString()), mnist.toString()),
                Arguments.of(List.of("train", "--mnist-dir", tmp.resolve("missing").toString()), "missing"),
                Arguments.of(List.of("train", "--mnist-dir", mnist.toString()), "holds 850 images"),
                Arguments.of(concat(data, "train", "--epochs", "1", "--out", small.toString(), "--val-size", "900"), "--val-size"),
                Arguments.of(concat(data, "train", "--epochs", "1", "--out", small.toString(), "--train-limit", "100"), "--train-limit"),
                Arguments.of(List.of("train", "--data-dir", file.toString(), "--mnist-dir", mnist.toString()), "--data-dir"),
                Arguments.of(List.of("train", "--noise", "-1"), "--noise"),
                Arguments.of(List.of("eval"), "'--run"),
                Arguments.of(List.of("eval", "--run", file.toString()), file.toString()),
                Arguments.of(List.of("eval", "--run", mnist.toString()), "run.json"),
                Arguments.of(List.of("eval", "--run", mnist.toString(), "--checkpoint", "first"), "'--checkpoint'"),
                Arguments.of(List.of("encode", "--run", mnist.toString(), "--split", "dev", "--out", "x.npy"), "'--split'"),
                Arguments.of(List.of("encode", "--run", mnist.toString(), "--split", "test", "--out", tmp.toString()), "is a folder"),
                Arguments.of(List.of("nonsense"), "nonsense"),
                Arguments.of(List.of(), "no command"));
    }

    /** {@code command}, then the data options, then {@code more} (the last occurrence of an option wins). */
    private static List<String> concat(String[] data, String command, String... more) {
        List<String> l = new ArrayList<>(List.of(command));
        l.addAll(Arrays.asList(data));
        l.addAll(Arrays.asList(more));
        return l;
    }

    @ParameterizedTest
    @MethodSource("badCommands")
    void exitTwoWithOneLineNamingTheInput(List<String> args, String named) {
        TinyMnist.Result r = TinyMnist.run(args.toArray(String[]::new));
        assertEquals(2, r.exit(), "exit status for " + args + "; stderr: " + r.err());
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), "one line: " + r.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("error: "), line);
        assertTrue(line.contains(named), "names '" + named + "': " + line);
        assertTrue(line.contains(". Fix: "), "has a fix: " + line);
        assertFalse(line.contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
        assertFalse(Files.exists(tmp.resolve("small-run")), "no run folder is created before the input is checked");
    }

    @Test
    void debugAddsTheStackTrace() {
        TinyMnist.Result r = TinyMnist.run("train", "--sparsity-reg", "-1", "--debug");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("\tat org.varsparse."), r.err());
        assertTrue(r.errLines().get(r.errLines().size() - 1).startsWith("error: --sparsity-reg -1.0: --sparsity-reg must be"),
                r.err());
    }

    @Test
    void helpAndVersionExitZero() {
        TinyMnist.Result help = TinyMnist.run("train", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("--sparsity-reg=λ") && help.out().contains("ref --sparsity_reg"), help.out());
        TinyMnist.Result version = TinyMnist.run("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("varsparse " + Versions.varsparse()), version.out());
    }

    @Test
    void infoNamesTheBackends() {
        TinyMnist.Result r = TinyMnist.run("info", "--backend", "scalar");
        assertEquals(0, r.exit(), r.err());
        for (String s : List.of("JDK:", "cores:", "simd:", "selected:     scalar (1 thread)")) {
            assertTrue(r.out().contains(s), s + " in " + r.out());
        }
    }
}
