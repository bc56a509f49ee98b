package org.varsparse.eval;

import org.varsparse.tensor.Matrix;

/**
 * Reconstruction quality and sparsity as the reference reports them (METHOD §4.1-4.2).
 *
 * <p>PSNR (utils.PSNR, utils.py:262-284): target t and prediction p are mapped back to [0, 1] pixel space by the
 * inverse of the data normalization, x·std + mean (float32, as the reference), with no clamping; then per image
 * MSE_i = mean over pixels of (t − p)², replaced by 1e-4 when exactly 0 (40 dB), and PSNR_i = 10·log10(R²/MSE_i)
 * with R = 1. A batch value is the mean of the per-image PSNR, not the PSNR of the mean MSE.
 * For LCN data the images are first dewhitened with per-pixel maps, y·stdMap + meanMap, using the target's maps
 * for both target and prediction.
 *
 * <p>L0 (utils.L0, utils.py:286-299): the per-sample fraction of exactly-zero components, averaged over samples.
 */
public final class Metrics {
    /** The MSE that replaces an exact 0 (utils.PSNR's {@code dummy}). */
    public static final double ZERO_MSE = 1e-4;

    private Metrics() {
    }

    /** The data normalization x_model = (x_pixel − mean)/std, which PSNR inverts. */
    public record Normalization(float mean, float std) {
        /** torchvision Normalize(0.1307, 0.3081) (utils.py MEAN_MNIST, STD_MNIST). */
        public static final Normalization MNIST = new Normalization(0.1307f, 0.3081f);
        /** Grayscale ImageNet, applied before LCN (MEAN_IMAGENET_GRAY, STD_IMAGENET_GRAY). */
        public static final Normalization IMAGENET_GRAY = new Normalization(0.457f, 0.259f);

        public Normalization {
            if (!(std > 0) || !Float.isFinite(std) || !Float.isFinite(mean)) {
                throw new IllegalArgumentException("normalization needs a finite mean and std > 0, got mean " + mean
                        + ", std " + std);
            }
        }
    }

    /**
     * The per-image maps of LCN data (METHOD §3.4): y·std + mean is the image in normalized units. mean, std (N×P).
     */
    public record LcnMaps(Matrix mean, Matrix std) {
        public LcnMaps {
            if (!mean.sameShape(std)) {
                throw new IllegalArgumentException("LCN maps mean " + mean.shape() + " and std " + std.shape() + " differ");
            }
        }

        /** Buffers for a batch of b rows of P pixels. */
        public static LcnMaps allocate(int b, int p) {
            return new LcnMaps(new Matrix(b, p), new Matrix(b, p));
        }

        /** Rows from, from+1, ... of these maps copied into {@code into} (as many rows as it has). */
        public LcnMaps rows(int from, LcnMaps into) {
            int n = into.mean.rows * mean.cols;
            System.arraycopy(mean.data, from * mean.cols, into.mean.data, 0, n);
            System.arraycopy(std.data, from * std.cols, into.std.data, 0, n);
            return into;
        }

        /** Rows order[batch·B ..] copied into {@code into} (B = its rows), as {@code data.Batches.gather}. */
        public LcnMaps gather(int[] order, int batch, LcnMaps into) {
            int b = into.mean.rows, p = mean.cols;
            for (int r = 0; r < b; r++) {
                int row = order[batch * b + r];
                System.arraycopy(mean.data, row * p, into.mean.data, r * p, p);
                System.arraycopy(std.data, row * p, into.std.data, r * p, p);
            }
            return into;
        }

        /** y·std + mean for the first y.rows rows: LCN images back in normalized units. y (n×P); a new matrix. */
        public Matrix dewhiten(Matrix y) {
            Matrix x = new Matrix(y.rows, y.cols);
            for (int i = 0; i < x.data.length; i++) {
                x.data[i] = y.data[i] * std.data[i] + mean.data[i];
            }
            return x;
        }
    }

    /** Mean PSNR, dewhitened with {@code maps} first when they are not null. */
    public static double psnr(Matrix target, Matrix pred, LcnMaps maps, Normalization norm) {
        return maps == null ? psnr(target, pred, norm) : psnr(target, pred, maps.mean(), maps.std(), norm);
    }

    /** PSNR_i in dB of each image (row). target, pred (B×P); out (B). */
    public static void psnrPerImage(Matrix target, Matrix pred, Normalization norm, double[] out) {
        checkPair(target, pred, out);
        psnr(target, pred, null, null, norm, out);
    }

    /**
     * PSNR_i for LCN patches: both images are dewhitened with the target's maps, y·stdMap + meanMap, before the
     * inverse normalization. target, pred, meanMap, stdMap (B×P); out (B).
     */
    public static void psnrPerImage(Matrix target, Matrix pred, Matrix meanMap, Matrix stdMap, Normalization norm,
                                    double[] out) {
        checkPair(target, pred, out);
        if (!meanMap.sameShape(target) || !stdMap.sameShape(target)) {
            throw new IllegalArgumentException("PSNR maps mean " + meanMap.shape() + ", std " + stdMap.shape()
                    + " must match the target " + target.shape());
        }
        psnr(target, pred, meanMap, stdMap, norm, out);
    }

    /** Mean over images of PSNR_i. target, pred (B×P). */
    public static double psnr(Matrix target, Matrix pred, Normalization norm) {
        double[] per = new double[target.rows];
        psnrPerImage(target, pred, norm, per);
        return mean(per);
    }

    /** Mean over images of PSNR_i for LCN patches (see the per-image overload). */
    public static double psnr(Matrix target, Matrix pred, Matrix meanMap, Matrix stdMap, Normalization norm) {
        double[] per = new double[target.rows];
        psnrPerImage(target, pred, meanMap, stdMap, norm, per);
        return mean(per);
    }

    /** The fraction of exactly-zero entries of each row, averaged over rows. z (B×l). */
    public static double l0(Matrix z) {
        if (z.rows == 0 || z.cols == 0) {
            throw new IllegalArgumentException("L0 of an empty matrix " + z.shape());
        }
        double sum = 0;
        for (int i = 0; i < z.rows; i++) {
            int zeros = 0;
            for (int j = 0; j < z.cols; j++) {
                if (z.data[i * z.cols + j] == 0f) { // true for −0 too; NaN is not zero
                    zeros++;
                }
            }
            sum += (double) zeros / z.cols;
        }
        return sum / z.rows;
    }

    private static void psnr(Matrix target, Matrix pred, Matrix meanMap, Matrix stdMap, Normalization norm,
                             double[] out) {
        int n = target.cols;
        float std = norm.std(), mean = norm.mean();
        for (int i = 0; i < target.rows; i++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                int idx = i * n + j;
                float t = target.data[idx];
                float p = pred.data[idx];
                if (meanMap != null) {
                    t = t * stdMap.data[idx] + meanMap.data[idx];
                    p = p * stdMap.data[idx] + meanMap.data[idx];
                }
                double d = (t * std + mean) - (p * std + mean);
                sum += d * d;
            }
            double mse = sum / n;
            out[i] = 10 * Math.log10(1.0 / (mse == 0 ? ZERO_MSE : mse));
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static void checkPair(Matrix target, Matrix pred, double[] out) {
        if (!target.sameShape(pred)) {
            throw new IllegalArgumentException("PSNR target " + target.shape() + " and prediction " + pred.shape()
                    + " differ in shape");
        }
        if (target.rows == 0 || target.cols == 0) {
            throw new IllegalArgumentException("PSNR of an empty batch " + target.shape());
        }
        if (out.length != target.rows) {
            throw new IllegalArgumentException("PSNR output of length " + out.length + " for " + target.rows
                    + " images (target " + target.shape() + ")");
        }
    }
}
