package org.varsparse.data.patches;

import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.eval.Metrics;
import org.varsparse.tensor.Matrix;

/**
 * Draws LCN patches from gray images as imagenet_LCN_patches.py (METHOD §3.4), but deterministically: passes over
 * the images, each in a fresh order from the seeded RNG, one uniformly placed 52×52 crop per image per pass;
 * x = (gray/255 − 0.457)/0.259; crops whose (population) std is below {@code minRawStd} are dropped before LCN
 * (a gate the reference lacks: LCN blows flat, noisy areas up to full contrast); the rest go through
 * {@link Lcn#apply} in batches of {@code lcnBatch} (the std floor is that batch's mean σ_map, as the reference's
 * 250-image batches); patches whose unbiased std is below {@code minLcnStd} are dropped. Stops when
 * {@code count} patches are kept.
 *
 * @param minRawStd gate before LCN, normalized units (0 disables it)
 * @param minLcnStd the reference's {@code --std_threshold} (0.5)
 * @param lcnBatch  crops per LCN batch (250, the reference's batch size)
 */
public record PatchSampler(double minRawStd, double minLcnStd, int lcnBatch) {
    public static final PatchSampler DEFAULT = new PatchSampler(0.1, 0.5, 250);
    /** Give up after this many crops per requested patch (every crop rejected: flat images). */
    private static final int MAX_CROPS_PER_PATCH = 100;

    public PatchSampler {
        if (!(minRawStd >= 0) || !(minLcnStd >= 0) || lcnBatch < 1) {
            throw new IllegalArgumentException("minRawStd " + minRawStd + " and minLcnStd " + minLcnStd
                    + " must be >= 0 and lcnBatch " + lcnBatch + " >= 1");
        }
    }

    /** {@code count} patches from {@code images} (each at least 52×52), seeded. */
    public PatchSet sample(List<GrayImage> images, int count, long seed) {
        if (images.isEmpty() || count < 1) {
            throw new IllegalArgumentException("need images (got " + images.size() + ") and count >= 1 (got " + count + ")");
        }
        for (GrayImage g : images) {
            if (g.width() < Lcn.CROP || g.height() < Lcn.CROP) {
                throw new IllegalArgumentException("image " + g.width() + "×" + g.height() + " is smaller than a "
                        + Lcn.CROP + "×" + Lcn.CROP + " crop");
            }
        }
        int p = Lcn.OUT * Lcn.OUT;
        Matrix out = new Matrix(count, p), mean = new Matrix(count, p), std = new Matrix(count, p);
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] batch = new float[lcnBatch][];
        float[][] y = new float[lcnBatch][p], mu = new float[lcnBatch][p], sd = new float[lcnBatch][p];
        int filled = 0, kept = 0, passes = 0, lcnBatches = 0;
        long crops = 0, rawRejected = 0, lcnRejected = 0;
        double floors = 0;
        int[] order = new int[images.size()];
        long maxCrops = (long) MAX_CROPS_PER_PATCH * count + 10L * lcnBatch;
        while (kept < count) {
            passes++;
            permute(order, rng);
            for (int idx : order) {
                if (crops >= maxCrops) {
                    throw new IllegalArgumentException("only " + kept + " of " + count + " patches passed the filters after "
                            + crops + " crops: the images are too flat (raw std gate " + minRawStd + ", LCN std " + minLcnStd + ")");
                }
                float[] crop = crop(images.get(idx), rng);
                crops++;
                if (std(crop, false) < minRawStd) {
                    rawRejected++;
                    continue;
                }
                batch[filled++] = crop;
                if (filled < lcnBatch) {
                    continue;
                }
                floors += Lcn.apply(batch, y, mu, sd);
                lcnBatches++;
                filled = 0;
                for (int k = 0; k < lcnBatch; k++) {
                    if (std(y[k], true) < minLcnStd) {
                        lcnRejected++;
                        continue;
                    }
                    if (kept < count) {
                        System.arraycopy(y[k], 0, out.data, kept * p, p);
                        System.arraycopy(mu[k], 0, mean.data, kept * p, p);
                        System.arraycopy(sd[k], 0, std.data, kept * p, p);
                    }
                    kept++;
                }
                if (kept >= count) {
                    break;
                }
            }
        }
        return new PatchSet(out, mean, std, new PatchSet.Stats(crops, rawRejected, lcnRejected, kept, passes,
                floors / lcnBatches));
    }

    /** One uniformly placed 52×52 crop in normalized units, (gray/255 − 0.457)/0.259 in float32 as torchvision. */
    static float[] crop(GrayImage g, SplittableRandom rng) {
        int r0 = rng.nextInt(g.height() - Lcn.CROP + 1), c0 = rng.nextInt(g.width() - Lcn.CROP + 1);
        float m = Metrics.Normalization.IMAGENET_GRAY.mean(), s = Metrics.Normalization.IMAGENET_GRAY.std();
        float[] x = new float[Lcn.CROP * Lcn.CROP];
        for (int r = 0; r < Lcn.CROP; r++) {
            for (int c = 0; c < Lcn.CROP; c++) {
                x[r * Lcn.CROP + c] = (g.at(r0 + r, c0 + c) / 255f - m) / s;
            }
        }
        return x;
    }

    /** Standard deviation of v, unbiased (n − 1) or population. */
    static double std(float[] v, boolean unbiased) {
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        double mean = sum / v.length, ss = 0;
        for (float x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / (unbiased ? v.length - 1 : v.length));
    }

    private static void permute(int[] order, SplittableRandom rng) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
