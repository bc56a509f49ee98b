package org.varsparse.data;

import java.util.SplittableRandom;
import org.varsparse.tensor.Matrix;

/**
 * Mini-batches as the reference draws them: a fresh shuffle of the training subset every epoch
 * ({@code SubsetRandomSampler}), the validation subset in its fixed order, both with
 * {@code drop_last} (a final partial batch is dropped: 55,000 / 250 = 220 batches, 5,000 / 250 = 20).
 *
 * <p>The epoch order depends only on (seed, epoch), so a resumed run reproduces the order of any
 * epoch without replaying the earlier ones. Rows are copied into a caller-owned B×P buffer: the
 * training loop allocates one buffer and {@link #gather} never allocates.
 */
public final class Batches {
    /** The batch size of every MNIST and ImageNet script in the reference. */
    public static final int DEFAULT_BATCH_SIZE = 250;

    private Batches() {
    }

    /**
     * {@code subset} shuffled for one epoch: a Fisher–Yates shuffle (see {@link Split}) driven by
     * {@code new SplittableRandom(epochSeed(seed, epoch))}. The input is not modified.
     */
    public static int[] shuffled(int[] subset, long seed, int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        return shuffle(subset.clone(), new SplittableRandom(epochSeed(seed, epoch)));
    }

    /**
     * The generator seed for one epoch: MurmurHash3's 64-bit finalizer applied to
     * seed·φ + epoch (φ = 0x9E3779B97F4A7C15), so neighbouring epochs and seeds get unrelated streams.
     */
    static long epochSeed(long seed, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    static int[] shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Number of full batches ({@code drop_last}): {@code n / batchSize}. */
    public static int count(int n, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        return n / batchSize;
    }

    /** A B×P buffer for batches of {@code source}'s rows. */
    public static Matrix newBuffer(Matrix source, int batchSize) {
        return new Matrix(batchSize, source.cols); // (batch, P)
    }

    /**
     * Copies rows {@code order[b·B .. b·B + B)} of {@code source} into {@code out} (B×P, B =
     * out.rows) and returns {@code out}.
     */
    public static Matrix gather(Matrix source, int[] order, int batch, Matrix out) {
        int bs = out.rows;
        int p = source.cols;
        if (out.cols != p) {
            throw new IllegalArgumentException("batch buffer " + out.shape() + " does not fit rows of " + source.shape());
        }
        if (batch < 0 || batch >= count(order.length, bs)) {
            throw new IllegalArgumentException("batch " + batch + " of " + count(order.length, bs)
                    + " (order of " + order.length + ", batch size " + bs + ")");
        }
        for (int r = 0; r < bs; r++) {
            int row = order[batch * bs + r];
            System.arraycopy(source.data, row * p, out.data, r * p, p);
        }
        return out;
    }
}
