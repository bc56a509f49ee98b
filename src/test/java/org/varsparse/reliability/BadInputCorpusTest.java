package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.varsparse.io.FileIo;
import org.varsparse.io.SafeTensors;
import org.varsparse.io.SafeTensors.Tensor;
import org.varsparse.testutil.IdxFixtures;
import org.varsparse.testutil.FileTrees;

/**
 * A corpus of bad inputs, each run through the real command line in-process: damaged and foreign IDX files,
 * declared sizes far beyond the file, bad folders, damaged checkpoints and run folders, impossible
 * hyperparameters, unusable output paths. Each must end with exit status 2 and one line {@code error: <input>:
 * <problem>. Fix: <fix>} (no stack trace), and leave nothing half-written: a new run folder is not left behind,
 * an existing run folder is byte for byte unchanged (so its good checkpoints stay loadable), and no temporary
 * file remains anywhere under the case's folder.
 */
class BadInputCorpusTest {
    @TempDir
    static Path shared;
    /** Intact tiny IDX data. */
    static Path good;
    /** A run trained for one epoch on it (checkpoints best and last). */
    static Path pristine;

    @BeforeAll
    static void trainOneEpoch() {
        good = TinyData.write(shared.resolve("data"), 5);
        pristine = shared.resolve("run");
        Cli.Result r = Cli.run(TinyData.trainArgs(good, pristine, 1));
        assertEquals(0, r.exit(), r.err());
        RunFiles.assertCheckpointLoadable(pristine.resolve("checkpoints/best"));
        RunFiles.assertCheckpointLoadable(pristine.resolve("checkpoints/last"));
    }

    /** What a case's output must look like afterwards. */
    enum After {
        /** {@code output} (a new run folder or output file) does not exist. */
        ABSENT,
        /** {@code output} (an existing run folder or file) is byte for byte as before. */
        UNCHANGED
    }

    /**
     * One prepared command: its arguments, the output to watch and the text the error line must hold (the
     * input's name, the problem).
     */
    record Invocation(List<String> args, Path output, After after, List<String> expect) {
    }

    @FunctionalInterface
    interface Prepare {
        Invocation in(Path dir) throws IOException;
    }

    private static Arguments c(String name, Prepare p) {
        return Arguments.of(name, p);
    }

    static Stream<Arguments> corpus() {
        List<Arguments> all = new ArrayList<>();
        all.addAll(idxCases());
        all.addAll(imageCases());
        all.addAll(folderCases());
        all.addAll(hyperparameterCases());
        all.addAll(outputCases());
        all.addAll(checkpointCases());
        return all.stream();
    }

    // ------------------------------------------------------------------------------------------- IDX files

    private static final String IMAGES = "train-images-idx3-ubyte";
    private static final String LABELS = "train-labels-idx1-ubyte";

    /** The intact training images, header included. */
    private static byte[] goodImages() throws IOException {
        return Files.readAllBytes(good.resolve(IMAGES));
    }

    /** Train on a copy of the good data where {@code file} holds {@code content}; no run folder may appear. */
    private static Prepare idx(String file, IoSupplier content, String... problem) {
        return dir -> {
            Path data = FileTrees.copyTree(good, dir.resolve("data"));
            if (file.endsWith(".gz")) {
                Files.delete(data.resolve(file.substring(0, file.length() - 3))); // a raw file would be read first
            }
            IdxFixtures.write(data.resolve(file), content.get());
            List<String> expect = new ArrayList<>(List.of(data.resolve(file).toString()));
            expect.addAll(List.of(problem));
            return new Invocation(TinyData.trainArgs(data, dir.resolve("run"), 1), dir.resolve("run"), After.ABSENT, expect);
        };
    }

    @FunctionalInterface
    interface IoSupplier {
        byte[] get() throws IOException;
    }

    private static List<Arguments> idxCases() {
        return List.of(
                c("IDX images cut in the middle of the pixels",
                        idx(IMAGES, () -> Arrays.copyOf(goodImages(), 16 + 400 * 784 + 17),
                                "truncated: the header declares 850 images of 28x28")),
                c("IDX header cut short (10 bytes)",
                        idx(IMAGES, () -> Arrays.copyOf(goodImages(), 10), "truncated IDX header")),
                c("empty IDX file", idx(IMAGES, () -> new byte[0], "has only 0 bytes")),
                c("foreign file: a PNG where IDX images belong",
                        idx(IMAGES, () -> new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13},
                                "not an IDX file: magic 0x89504e47")),
                c("IDX labels where IDX images belong",
                        idx(IMAGES, () -> Files.readAllBytes(good.resolve(LABELS)), "holds IDX labels")),
                c("IDX of another element type (float32, magic 0x00000d03)",
                        idx(IMAGES, () -> ByteBuffer.wrap(goodImages()).putInt(0, 0x00000d03).array(),
                                "element type 0xd")),
                c("header declares 2^31 images",
                        idx(IMAGES, () -> ByteBuffer.wrap(goodImages()).putInt(4, 1 << 31).array(),
                                "impossible size 2147483648")),
                c("header declares 2^30 images of 28x28 (over 2^31 bytes)",
                        idx(IMAGES, () -> ByteBuffer.wrap(goodImages()).putInt(4, 1 << 30).array(),
                                "more than 2^31 bytes")),
                // 2,739,000 × 784 bytes is just under Java's array limit and over the test JVM's 2 GB heap: only a
                // reader that checks before allocating reports the truncation instead of running out of heap.
                c("header declares 2.1 GB of images, the file holds 667 KB",
                        idx(IMAGES, () -> ByteBuffer.wrap(goodImages()).putInt(4, 2_739_000).array(),
                                "truncated: the header declares 2739000 images of 28x28 (2147376000 bytes)")),
                c("gzip whose header declares 2.1 GB of images, the stream holds 667 KB",
                        idx(IMAGES + ".gz", () -> IdxFixtures.gzip(ByteBuffer.wrap(goodImages()).putInt(4, 2_739_000).array()),
                                "truncated: the gzip stream ends after")),
                c("849 labels for 850 images",
                        idx(LABELS, () -> IdxFixtures.labels(849, new byte[849]), "holds 850 images but",
                                "849 labels")),
                c("gzip garbage (gzip magic, then noise)", idx(IMAGES + ".gz", () -> {
                    byte[] b = new byte[4096];
                    new SplittableRandom(1).nextBytes(b);
                    b[0] = 0x1f;
                    b[1] = (byte) 0x8b;
                    return b;
                }, "corrupt gzip data")),
                c("gzip stream cut in half", idx(IMAGES + ".gz", () -> {
                    byte[] z = IdxFixtures.gzip(goodImages());
                    return Arrays.copyOf(z, z.length / 2);
                }, "truncated gzip stream")),
                c("trailing bytes after the declared IDX images",
                        idx(IMAGES, () -> Arrays.copyOf(goodImages(), goodImages().length + 100),
                                "100 bytes of trailing data")),
                c("trailing data inside a gzip stream",
                        idx(IMAGES + ".gz", () -> IdxFixtures.gzip(Arrays.copyOf(goodImages(), goodImages().length + 7)),
                                "trailing data: the gzip stream holds more")),
                c("32x32 images where MNIST's 28x28 belong", idx(IMAGES,
                        () -> IdxFixtures.images(TinyData.POOL, 32, 32, new byte[TinyData.POOL * 32 * 32]),
                        "holds 32x32 images but 28x28 were expected")),
                c("label 10 in a digit label file", idx(LABELS, () -> {
                    byte[] l = new byte[TinyData.POOL];
                    l[17] = 10;
                    return IdxFixtures.labels(TinyData.POOL, l);
                }, "label 10 at index 17")),
                c("test images truncated", idx("t10k-images-idx3-ubyte",
                        () -> Arrays.copyOf(Files.readAllBytes(good.resolve("t10k-images-idx3-ubyte")), 5000),
                        "truncated")));
    }

    // ------------------------------------------------------------------------------------------- images

    /** train --photos on three good photos and {@code bad}; the error names {@code bad}. */
    private static Prepare photos(String bad, IoSupplier content, String... problem) {
        return dir -> {
            Path photos = TinyData.photos(dir.resolve("photos"), 3, 4);
            IdxFixtures.write(photos.resolve(bad), content.get());
            List<String> expect = new ArrayList<>(List.of(photos.resolve(bad) + ":"));
            expect.addAll(List.of(problem));
            return new Invocation(List.of("train", "--preset", "patch-vdl", "--photos", photos.toString(), "--patches",
                    "500", "--val-size", "250", "--code-dim", "8", "--epochs", "1", "--backend", "scalar", "--out",
                    dir.resolve("run").toString()), dir.resolve("run"), After.ABSENT, expect);
        };
    }

    /** denoise-image on the pristine run (28×28 inputs, as patch runs) with the photo {@code bad}. */
    private static Prepare denoise(IoSupplier content, String... problem) {
        return dir -> {
            Path run = FileTrees.copyTree(pristine, dir.resolve("run"));
            Path image = IdxFixtures.write(dir.resolve("photo.png"), content.get());
            List<String> expect = new ArrayList<>(List.of(image + ":"));
            expect.addAll(List.of(problem));
            return new Invocation(List.of("denoise-image", "--run", run.toString(), "--image", image.toString(),
                    "--backend", "scalar"), run, After.UNCHANGED, expect);
        };
    }

    private static byte[] goodPng() throws IOException {
        Path dir = Files.createTempDirectory("varsparse-png");
        try {
            return Files.readAllBytes(TinyData.photos(dir, 1, 5).resolve("photo-00.png"));
        } finally {
            FileIo.deleteTree(dir);
        }
    }

    private static List<Arguments> imageCases() {
        return List.of(
                c("--photos: a PNG cut in half", photos("zz.png", () -> Arrays.copyOf(goodPng(), goodPng().length / 2),
                        "cannot be read as an image")),
                c("--photos: a JPEG of noise", photos("zz.jpg", () -> {
                    byte[] b = new byte[3000];
                    new SplittableRandom(2).nextBytes(b);
                    b[0] = (byte) 0xff;
                    b[1] = (byte) 0xd8;
                    return b;
                }, "cannot be read as an image")),
                c("--photos: a text file named .png", photos("notes.png",
                        () -> "not a picture".getBytes(StandardCharsets.UTF_8), "not a PNG or JPEG image")),
                c("--photos: a 74-byte PNG declaring 60000x60000 pixels",
                        photos("zz.png", () -> TinyData.pngDeclaring(60_000, 60_000), "60000×60000", "heap")),
                c("denoise-image: a PNG cut in half",
                        denoise(() -> Arrays.copyOf(goodPng(), goodPng().length / 2), "cannot be read as an image")),
                c("denoise-image: a PNG declaring 40000x40000 pixels (1.6 G)",
                        denoise(() -> TinyData.pngDeclaring(40_000, 40_000), "40000×40000", "heap")));
    }

    // ------------------------------------------------------------------------------------------- folders

    private static Invocation train(Path dir, Path data, String... expect) {
        return new Invocation(TinyData.trainArgs(data, dir.resolve("run"), 1), dir.resolve("run"), After.ABSENT,
                List.of(expect));
    }

    private static List<Arguments> folderCases() {
        return List.of(
                c("--mnist-dir is an empty folder", dir -> {
                    Path empty = Files.createDirectories(dir.resolve("empty"));
                    return train(dir, empty, empty.toString(), "has no train-images-idx3-ubyte");
                }),
                c("--mnist-dir is a file", dir -> {
                    Path f = Files.writeString(dir.resolve("a-file"), "x");
                    return train(dir, f, f.toString(), "is a file, not a folder");
                }),
                c("--mnist-dir does not exist", dir -> train(dir, dir.resolve("nowhere"),
                        dir.resolve("nowhere").toString(), "no such folder")),
                c("the image file is a folder", dir -> {
                    Path data = FileTrees.copyTree(good, dir.resolve("data"));
                    Files.delete(data.resolve(IMAGES));
                    Files.createDirectories(data.resolve(IMAGES));
                    return train(dir, data, data.toString(), "has no train-images-idx3-ubyte");
                }),
                c("--data-dir cache holding files of the wrong size", dir -> {
                    Path cache = FileTrees.copyTree(good, dir.resolve("cache"));
                    List<String> a = new ArrayList<>(List.of("train", "--data-dir", cache.toString(), "--code-dim", "8",
                            "--epochs", "1", "--backend", "scalar", "--out", dir.resolve("run").toString()));
                    return new Invocation(a, dir.resolve("run"), After.ABSENT, List.of(cache.toString(), "size mismatch"));
                }),
                c("--data-dir is a file", dir -> {
                    Path f = Files.writeString(dir.resolve("cache"), "x");
                    List<String> a = List.of("train", "--data-dir", f.toString(), "--epochs", "1", "--out",
                            dir.resolve("run").toString());
                    return new Invocation(a, dir.resolve("run"), After.ABSENT, List.of(f.toString(), "is a file"));
                }));
    }

    // ------------------------------------------------------------------------------------------- hyperparameters

    /** Train on the good data with {@code options} last; the error names {@code named}. */
    private static Prepare hyper(String named, String problem, String... options) {
        return dir -> new Invocation(TinyData.trainArgs(good, dir.resolve("run"), 1, options), dir.resolve("run"),
                After.ABSENT, List.of(named, problem));
    }

    private static List<Arguments> hyperparameterCases() {
        return List.of(
                c("--code-dim 0", hyper("--code-dim 0", "--code-dim must be an integer >= 1", "--code-dim", "0")),
                c("--batch-size 1 with β = 10", hyper("--batch-size 1", "unbiased std", "--batch-size", "1")),
                c("--epochs -1", hyper("--epochs -1", "must be", "--epochs", "-1")),
                c("--sparsity-reg NaN", hyper("--sparsity-reg NaN", "a finite number >= 0", "--sparsity-reg", "NaN")),
                c("--lr-decoder -0.001", hyper("--lr-decoder -0.001", "a finite number > 0", "--lr-decoder", "-0.001")),
                c("--hinge-threshold Infinity",
                        hyper("--hinge-threshold Infinity", "finite", "--hinge-threshold", "Infinity")),
                c("--anneal-decoder-factor 2", hyper("--anneal-decoder-factor 2.0", "(0, 1]", "--anneal-decoder-factor", "2")),
                c("--max-inference-steps -5", hyper("--max-inference-steps -5", ">= 0", "--max-inference-steps", "-5")),
                c("--code-step-size 1e30 (diverges at once)",
                        hyper("--code-step-size", "diverged", "--code-step-size", "1e30")),
                c("--code-dim 200000 (900 GiB)",
                        hyper("--code-dim 200000", "heap", "--code-dim", "200000")),
                c("--hidden-dim 10000000 (30 GiB of weights)",
                        hyper("--hidden-dim 10000000", "heap", "--decoder", "one_hidden", "--hidden-dim", "10000000")),
                c("--batch-size 2000000000", hyper("--batch-size 2000000000", "heap", "--batch-size", "2000000000")),
                c("unknown preset", hyper("--preset mnist-xyz", "no such preset", "--preset", "mnist-xyz")),
                // a forced backend that is unavailable: no TornadoVM on this class path
                c("--backend tornado without TornadoVM",
                        hyper("--backend", "tornado", "--backend", "tornado")),
                c("--threads 0", hyper("--threads 0", "at least 1", "--threads", "0")),
                c("--val-size as large as the pool", hyper("--val-size 850", "must leave training images", "--val-size", "850")),
                c("--train-limit 0", hyper("--train-limit 0", "must be at least 1", "--train-limit", "0")),
                c("--noise NaN", hyper("--noise NaN", "finite number >= 0", "--noise", "NaN")));
    }

    // ------------------------------------------------------------------------------------------- output paths

    private static List<Arguments> outputCases() {
        return List.of(
                c("--out is a file", dir -> {
                    Path f = Files.writeString(dir.resolve("a-file"), "keep me");
                    return new Invocation(TinyData.trainArgs(good, f, 1), f, After.UNCHANGED,
                            List.of(f.toString(), "is a file, not a folder"));
                }),
                c("--out is a folder that is not empty", dir -> {
                    Path d = Files.createDirectories(dir.resolve("busy"));
                    Files.writeString(d.resolve("notes.txt"), "keep me");
                    return new Invocation(TinyData.trainArgs(good, d, 1), d, After.UNCHANGED,
                            List.of(d.toString(), "is not empty"));
                }),
                c("--out inside a file (not writable)", dir -> {
                    Path f = Files.writeString(dir.resolve("a-file"), "keep me");
                    Path out = f.resolve("run");
                    return new Invocation(TinyData.trainArgs(good, out, 1), f, After.UNCHANGED,
                            List.of(out.toString(), "cannot write it"));
                }),
                c("encode --out exists, no --force", dir -> {
                    Path run = FileTrees.copyTree(pristine, dir.resolve("run"));
                    Path f = Files.writeString(dir.resolve("codes.npy"), "keep me");
                    return new Invocation(List.of("encode", "--run", run.toString(), "--split", "test", "--out",
                            f.toString()), f, After.UNCHANGED, List.of(f.toString(), "already exists"));
                }),
                c("encode --out in a missing folder", dir -> {
                    Path run = FileTrees.copyTree(pristine, dir.resolve("run"));
                    Path f = dir.resolve("missing").resolve("codes.npy");
                    return new Invocation(List.of("encode", "--run", run.toString(), "--split", "test", "--out",
                            f.toString()), dir.resolve("missing"), After.ABSENT, List.of(f.toString(), "does not exist"));
                }),
                c("--resume --out names a file", dir -> {
                    Path f = Files.writeString(dir.resolve("a-file"), "keep me");
                    return new Invocation(List.of("train", "--resume", "--out", f.toString(), "--epochs", "2"), f,
                            After.UNCHANGED, List.of(f.toString(), "is a file, not a run folder"));
                }));
    }

    // ------------------------------------------------------------------------------------------- checkpoints

    private static final String MODEL = "model.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";

    /**
     * A copy of the pristine run with {@code damage} done to it, then {@code command} on it (eval reads best,
     * resume reads last); the run folder must come out unchanged.
     */
    private static Prepare damaged(String command, String file, Consumer<Path> damage, String... problem) {
        return damaged(command, file, file, damage, problem);
    }

    /** As above, the error naming {@code named} (a path in the run folder; "" for the folder itself). */
    private static Prepare damaged(String command, String file, String named, Consumer<Path> damage,
                                   String... problem) {
        return dir -> {
            Path run = FileTrees.copyTree(pristine, dir.resolve("run"));
            Path target = run.resolve(file);
            damage.accept(target);
            List<String> args = switch (command) {
                case "eval" -> List.of("eval", "--run", run.toString(), "--no-fista");
                case "resume" -> List.of("train", "--resume", "--out", run.toString(), "--epochs", "2");
                case "encode" -> List.of("encode", "--run", run.toString(), "--split", "val", "--out",
                        dir.resolve("codes.npy").toString());
                default -> throw new IllegalArgumentException(command);
            };
            List<String> expect = new ArrayList<>(List.of(named.isEmpty() ? run + ":" : run.resolve(named) + ":"));
            expect.addAll(List.of(problem));
            return new Invocation(args, run, After.UNCHANGED, expect);
        };
    }

    private static Consumer<Path> bytes(UnaryOperator<byte[]> f) {
        return p -> {
            try {
                Files.write(p, f.apply(Files.readAllBytes(p)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** The damage, then the checkpoint's record of size and hash updated to match (a consistent but bad file). */
    private static Consumer<Path> rehashed(Consumer<Path> damage) {
        return damage.andThen(RunFiles::rehash);
    }

    /** Rewrites a safetensors file with changed tensors (a well-formed file of the wrong content). */
    private static Consumer<Path> tensors(Consumer<Map<String, Tensor>> change) {
        return rehashed(p -> {
            SafeTensors.Contents c = SafeTensors.read(p);
            Map<String, Tensor> t = new LinkedHashMap<>(c.tensors());
            change.accept(t);
            SafeTensors.write(p, t, c.metadata());
        });
    }

    /** The JSON header of a safetensors file, edited in place keeping its length. */
    private static Consumer<Path> header(UnaryOperator<String> edit) {
        return rehashed(bytes(b -> {
            int n = (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            String h = new String(b, 8, n, StandardCharsets.UTF_8);
            byte[] e = edit.apply(h).getBytes(StandardCharsets.UTF_8);
            assertEquals(n, e.length, "the edit keeps the header length");
            System.arraycopy(e, 0, b, 8, n);
            return b;
        }));
    }

    private static Consumer<Path> json(Consumer<ObjectNode> edit) {
        return p -> {
            try {
                ObjectNode j = (ObjectNode) RunFiles.readJson(p);
                edit.accept(j);
                Files.write(p, RunFiles.JSON.writeValueAsBytes(j));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static final Consumer<Path> DELETE = p -> {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };

    private static List<Arguments> checkpointCases() {
        String best = "checkpoints/best/";
        String last = "checkpoints/last/";
        return List.of(
                c("model.safetensors changed after saving (hash mismatch)", damaged("eval", best + MODEL,
                        bytes(b -> Arrays.copyOf(b, b.length - 4)), "does not match the size and SHA-256")),
                c("model.safetensors truncated", damaged("eval", best + MODEL,
                        rehashed(bytes(b -> Arrays.copyOf(b, b.length - 4))), "truncated: the tensors need")),
                c("model.safetensors header cut short", damaged("eval", best + MODEL,
                        rehashed(bytes(b -> Arrays.copyOf(b, 40))), "exceeds the file size")),
                c("model.safetensors corrupt JSON header", damaged("eval", best + MODEL,
                        header(h -> h.replaceFirst("\\{", "[")), "does not start with '{'")),
                c("model.safetensors JSON header with a broken token", damaged("eval", best + MODEL,
                        header(h -> h.replaceFirst("\"dtype\":", "\"dtype\";")), "corrupt JSON header")),
                c("model.safetensors of dtype F16", damaged("eval", best + MODEL,
                        header(h -> h.replaceFirst("\"F32\"", "\"F16\"")), "has dtype F16")),
                c("decoder.W of the wrong shape", damaged("eval", best + MODEL, tensors(t -> {
                    t.put("decoder.W", new Tensor(new int[] {784, 7}, new float[784 * 7]));
                }), "do not fit the model")),
                c("encoder.S of the wrong shape", damaged("eval", best + MODEL, tensors(t -> {
                    t.put("encoder.S", new Tensor(new int[] {8, 9}, new float[72]));
                }), "do not fit the model")),
                c("model.safetensors without encoder.b", damaged("eval", best + MODEL,
                        tensors(t -> t.remove("encoder.b")), "has no tensor 'encoder.b'")),
                c("NaN weights in a checkpoint", damaged("eval", best + MODEL, tensors(t -> {
                    t.get("decoder.W").data()[5] = Float.NaN;
                }), "decoder.W", "NaN")),
                c("infinite Adam moments in a checkpoint", damaged("resume", last + OPTIMIZER, tensors(t -> {
                    t.get("encoder.W.exp_avg_sq").data()[0] = Float.POSITIVE_INFINITY;
                }), "encoder.W.exp_avg_sq", "Infinity")),
                c("checkpoint.json corrupt", damaged("eval", best + "checkpoint.json",
                        bytes(b -> Arrays.copyOf(b, b.length / 2)), "corrupt JSON")),
                c("checkpoint.json missing", damaged("eval", best + "checkpoint.json", "checkpoints/best", DELETE,
                        "no such checkpoint")),
                c("model.safetensors missing", damaged("eval", best + MODEL, DELETE, "no such file")),
                c("checkpoint.json with sparsityReg NaN", damaged("eval", best + "checkpoint.json",
                        json(j -> j.with("hyperparameters").put("sparsityReg", "NaN")), "hyperparameter")),
                c("checkpoint.json of another format version", damaged("eval", best + "checkpoint.json",
                        json(j -> j.put("format_version", 99)), "is not a varsparse checkpoint")),
                c("run.json corrupt", damaged("eval", "run.json", bytes(b -> Arrays.copyOf(b, 20)), "corrupt JSON")),
                c("run.json missing", damaged("eval", "run.json", "", DELETE, "has no run.json")),
                c("optimizer.safetensors missing (resume)", damaged("resume", last + OPTIMIZER, DELETE, "no such file")),
                c("Adam moment of the wrong shape (resume)", damaged("resume", last + OPTIMIZER, tensors(t -> {
                    t.put("encoder.b.exp_avg", new Tensor(new int[] {9}, new float[9]));
                }), "does not fit the model")),
                c("last checkpoint gone, best intact (resume)",
                        damaged("resume", last + "checkpoint.json", "", DELETE,
                                "has no checkpoints/last to resume from")),
                c("model.safetensors truncated (encode)", damaged("encode", best + MODEL,
                        rehashed(bytes(b -> Arrays.copyOf(b, b.length / 2))), "truncated")));
    }

    // ------------------------------------------------------------------------------------------- the check

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void failsWithOneLineAndLeavesNothingBehind(String name, Prepare prepare, @TempDir Path dir) throws IOException {
        Invocation inv = prepare.in(dir);
        Map<String, String> before = RunFiles.snapshot(inv.output());
        List<Path> goodCheckpoints = loadableCheckpoints(inv.output());

        Cli.Result r = Cli.run(inv.args());
        String line = r.userError();
        for (String e : inv.expect()) {
            assertTrue(line.contains(e), "expected '" + e + "' in: " + line);
        }
        assertEquals("", r.out().lines().filter(l -> l.startsWith("error")).findAny().orElse(""), "errors go to stderr");
        switch (inv.after()) {
            case ABSENT -> assertFalse(Files.exists(inv.output()), inv.output() + " left behind: "
                    + RunFiles.snapshot(inv.output()).keySet());
            case UNCHANGED -> assertEquals(before, RunFiles.snapshot(inv.output()), "unchanged: " + inv.output());
        }
        assertEquals(List.of(), RunFiles.debris(dir), "temporary files left in " + dir);
        for (Path ck : goodCheckpoints) {
            RunFiles.assertCheckpointLoadable(ck);
        }
    }

    /** The checkpoint folders under a run folder that load before the case runs. */
    private static List<Path> loadableCheckpoints(Path run) {
        List<Path> ok = new ArrayList<>();
        for (String n : List.of("best", "last")) {
            Path ck = run.resolve("checkpoints").resolve(n);
            try {
                RunFiles.assertCheckpointLoadable(ck);
                ok.add(ck);
            } catch (AssertionError | RuntimeException e) {
                // damaged on purpose, or absent
            }
        }
        return ok;
    }

    @Test
    void theCorpusHasAtLeastThirtyCases() {
        assertTrue(corpus().count() >= 30, "corpus size " + corpus().count());
    }

    @Test
    void debugAddsTheStackTrace(@TempDir Path dir) throws IOException {
        Invocation inv = damaged("eval", "checkpoints/best/" + MODEL,
                rehashed(bytes(b -> Arrays.copyOf(b, b.length - 4))), "truncated").in(dir);
        List<String> args = new ArrayList<>(inv.args());
        args.add("--debug");
        Cli.Result r = Cli.run(args);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("\tat org.varsparse.io.SafeTensors"), r.err());
        assertTrue(r.errLines().get(r.errLines().size() - 1).startsWith("error: "), r.err());
    }

    /**
     * An unreadable --mnist-dir. Root reads any folder whatever its mode, so this case only runs as another user;
     * the folder-is-a-file and missing-folder cases above stand in for it under root.
     */
    @Test
    void unreadableFolder(@TempDir Path dir) throws IOException {
        Path data = FileTrees.copyTree(good, dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("---------"));
        try {
            assumeTrue(!Files.isReadable(data), "running as root: permissions are not enforced");
            String line = Cli.run(TinyData.trainArgs(data, dir.resolve("run"), 1)).userError();
            assertTrue(line.contains(data.toString()) && line.contains("permission denied"), line);
            assertFalse(Files.exists(dir.resolve("run")));
        } finally {
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
