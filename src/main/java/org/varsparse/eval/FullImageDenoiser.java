package org.varsparse.eval;

import java.util.function.BiConsumer;
import org.varsparse.data.patches.Lcn;
import org.varsparse.tensor.Matrix;

/**
 * Denoising of a whole gray image with a patch model (beyond the reference): the noisy image (normalized units)
 * is cut into overlapping 52×52 crops at a stride; each crop is LCN'd as in training ({@link Lcn}, the std floor
 * being the mean over all crops of the image), the model maps the 28×28 patches y to ŷ, each ŷ is dewhitened with
 * its own maps (ŷ·σ_map + μ) and put back on the centre 28×28 of its crop, and overlapping values are averaged.
 * The 12-pixel border that no patch centre covers keeps the noisy values and is left out of the PSNR.
 */
public final class FullImageDenoiser {
    private FullImageDenoiser() {
    }

    /**
     * @param image    the result (h×w, normalized units)
     * @param covered  pixels that at least one patch centre covers
     * @param patches  patches used
     */
    public record Result(float[] image, boolean[] covered, int patches) {
    }

    /**
     * Denoises {@code noisy} (h×w, row-major, normalized units). {@code model} maps a batch of LCN patches (n×784)
     * to its reconstruction (n×784), written into the second argument.
     */
    public static Result denoise(float[] noisy, int h, int w, int stride, BiConsumer<Matrix, Matrix> model) {
        if (h < Lcn.CROP || w < Lcn.CROP || noisy.length != h * w || stride < 1) {
            throw new IllegalArgumentException("image " + h + "×" + w + " (" + noisy.length + " values), stride "
                    + stride + ": needs at least " + Lcn.CROP + "×" + Lcn.CROP + " and stride >= 1");
        }
        int[] rows = starts(h, stride), cols = starts(w, stride);
        int n = rows.length * cols.length, p = Lcn.OUT * Lcn.OUT;
        float[][] crops = new float[n][Lcn.CROP * Lcn.CROP];
        int k = 0;
        for (int r : rows) {
            for (int c : cols) {
                for (int i = 0; i < Lcn.CROP; i++) {
                    System.arraycopy(noisy, (r + i) * w + c, crops[k], i * Lcn.CROP, Lcn.CROP);
                }
                k++;
            }
        }
        float[][] y = new float[n][p], mu = new float[n][p], sd = new float[n][p];
        Lcn.apply(crops, y, mu, sd);
        Matrix in = new Matrix(n, p), out = new Matrix(n, p);
        for (int i = 0; i < n; i++) {
            System.arraycopy(y[i], 0, in.data, i * p, p);
        }
        model.accept(in, out);
        double[] sum = new double[h * w];
        int[] count = new int[h * w];
        k = 0;
        int off = (Lcn.CROP - Lcn.OUT) / 2; // 12
        for (int r : rows) {
            for (int c : cols) {
                for (int i = 0; i < Lcn.OUT; i++) {
                    for (int j = 0; j < Lcn.OUT; j++) {
                        int q = i * Lcn.OUT + j, at = (r + off + i) * w + c + off + j;
                        sum[at] += out.data[k * p + q] * sd[k][q] + mu[k][q];
                        count[at]++;
                    }
                }
                k++;
            }
        }
        float[] result = noisy.clone();
        boolean[] covered = new boolean[h * w];
        for (int i = 0; i < result.length; i++) {
            if (count[i] > 0) {
                result[i] = (float) (sum[i] / count[i]);
                covered[i] = true;
            }
        }
        return new Result(result, covered, n);
    }

    /** PSNR in dB ([0,1] pixels after ×std + mean, R = 1) of a against b over the covered pixels. */
    public static double psnr(float[] a, float[] b, boolean[] covered, Metrics.Normalization norm) {
        double s = 0;
        long n = 0;
        for (int i = 0; i < a.length; i++) {
            if (covered[i]) {
                double d = (a[i] - b[i]) * (double) norm.std();
                s += d * d;
                n++;
            }
        }
        return 10 * Math.log10(1 / (s / n));
    }

    /** Crop origins 0, stride, 2·stride, ... and the last one flush with the edge. */
    private static int[] starts(int len, int stride) {
        int last = len - Lcn.CROP;
        int n = last / stride + 1 + (last % stride == 0 ? 0 : 1);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = Math.min(i * stride, last);
        }
        return s;
    }
}
