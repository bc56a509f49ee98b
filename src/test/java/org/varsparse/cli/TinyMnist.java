package org.varsparse.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.data.IdxReader;

/** Small MNIST-shaped IDX files for the CLI tests, and an in-process runner of the command line. */
final class TinyMnist {
    static final int TRAIN_POOL = 850; // 600 train + 250 validation
    static final int TEST = 250;

    private TinyMnist() {
    }

    /**
     * Writes the four IDX files into {@code dir}: 28×28 images each holding one horizontal and one vertical
     * stroke at seeded positions (so a small dictionary has something to learn), labels 0..9.
     */
    static Path write(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        writeSet(dir, "train", TRAIN_POOL, rng);
        writeSet(dir, "t10k", TEST, rng);
        return dir;
    }

    private static void writeSet(Path dir, String name, int n, SplittableRandom rng) throws IOException {
        byte[] px = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int r = rng.nextInt(4, 24), c0 = rng.nextInt(2, 20), len = rng.nextInt(4, 9);
            for (int c = c0; c < c0 + len; c++) {
                px[i * 784 + r * 28 + c] = (byte) rng.nextInt(128, 256);
                px[i * 784 + (r + 1) * 28 + c] = (byte) rng.nextInt(128, 256);
            }
            int cc = rng.nextInt(4, 24), r0 = rng.nextInt(2, 20);
            for (int rr = r0; rr < r0 + 6; rr++) {
                px[i * 784 + rr * 28 + cc] = (byte) rng.nextInt(128, 256);
            }
            labels[i] = (byte) rng.nextInt(10);
        }
        Files.write(dir.resolve(name + "-images-idx3-ubyte"), ByteBuffer.allocate(16 + px.length)
                .putInt(IdxReader.IMAGES_MAGIC).putInt(n).putInt(28).putInt(28).put(px).array());
        Files.write(dir.resolve(name + "-labels-idx1-ubyte"), ByteBuffer.allocate(8 + n)
                .putInt(IdxReader.LABELS_MAGIC).putInt(n).put(labels).array());
    }

    /** What one in-process run of the command line returned and printed. */
    record Result(int exit, String out, String err) {
        /** The non-empty lines of stderr. */
        List<String> errLines() {
            return Arrays.stream(err.split("\\R")).filter(l -> !l.isBlank()).toList();
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Main.run(args, o, e);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code train} on the tiny data with a small model (l = 16, at most 50 FISTA steps), scalar backend. */
    static String[] trainArgs(Path mnist, Path out, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--mnist-dir", mnist.toString(), "--allow-small-data",
                "--val-size", "250", "--code-dim", "16", "--max-inference-steps", "50", "--epochs",
                Integer.toString(epochs), "--backend", "scalar", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }
}
