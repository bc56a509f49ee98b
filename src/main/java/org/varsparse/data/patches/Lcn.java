package org.varsparse.data.patches;

/**
 * Local contrast normalization of 52×52 crops, as the reference's {@code LocalContrastNorm(img, g, padding=False)}
 * (METHOD §3.4, utils.py:533-616), in normalized units x = (gray/255 − 0.457)/0.259:
 * <pre>
 *   g      = 13×13 Gaussian, σ = 5, centred at 6, sum 1 (outer product of 1-D Gaussians)
 *   μ      = validconv(x, g)                       40×40, aligned with x[6:46, 6:46]
 *   c      = x[6:46, 6:46] − μ                     40×40
 *   σ_map  = √max(validconv(c², g), 0)              28×28
 *   σ_map ← σ_map if σ_map > floor else floor;  σ_map ← max(σ_map, 1e-4)
 *   out    = c[6:34, 6:34] / σ_map                  28×28, centred on x[12:40, 12:40]
 *   meanMap = μ[6:34, 6:34], stdMap = σ_map         so that out·stdMap + meanMap = x[12:40, 12:40]
 * </pre>
 * The reference's floor is the mean of σ_map over the <b>whole batch tensor</b> (250 crops), so a patch depends
 * on the crops it was batched with; {@link #apply} takes the batch and reproduces that.
 */
public final class Lcn {
    public static final int CROP = 52;
    public static final int KERNEL = 13;
    public static final double SIGMA = 5;
    public static final int OUT = CROP - 2 * (KERNEL - 1); // 28
    public static final float MIN_STD = 1e-4f;
    private static final int MID = CROP - (KERNEL - 1);     // 40
    private static final double[] G1 = kernel1d();         // (13) g = G1 ⊗ G1

    private Lcn() {
    }

    /** The normalized 1-D Gaussian (σ = 5, sum 1) whose outer product with itself is {@link #kernel()}. */
    static double[] kernel1d() {
        double[] g1 = new double[KERNEL];
        double sum = 0;
        for (int i = 0; i < KERNEL; i++) {
            double d = i - (KERNEL - 1) / 2.0;
            g1[i] = Math.exp(-d * d / (2 * SIGMA * SIGMA));
            sum += g1[i];
        }
        for (int i = 0; i < KERNEL; i++) {
            g1[i] /= sum;
        }
        return g1;
    }

    /** The 13×13 Gaussian (σ = 5), normalized to sum 1, row-major. */
    public static double[] kernel() {
        double[] g1 = new double[KERNEL];
        for (int i = 0; i < KERNEL; i++) {
            double d = i - (KERNEL - 1) / 2.0;
            g1[i] = Math.exp(-d * d / (2 * SIGMA * SIGMA));
        }
        double[] g = new double[KERNEL * KERNEL];
        double sum = 0;
        for (int i = 0; i < KERNEL; i++) {
            for (int j = 0; j < KERNEL; j++) {
                g[i * KERNEL + j] = g1[i] * g1[j];
                sum += g[i * KERNEL + j];
            }
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= sum;
        }
        return g;
    }

    /**
     * LCN of a batch of crops. crops[k] (52×52, normalized units); out, meanMap, stdMap: [k] (28×28) written.
     * Returns the std floor used (the batch mean of σ_map before flooring).
     */
    public static double apply(float[][] crops, float[][] out, float[][] meanMap, float[][] stdMap) {
        int n = crops.length;
        double[][] c = new double[n][];   // (40×40) each
        double[][] mu = new double[n][];  // (40×40) each
        double[][] sd = new double[n][];  // (28×28) each
        double sumSd = 0;
        for (int k = 0; k < n; k++) {
            if (crops[k].length != CROP * CROP) {
                throw new IllegalArgumentException("crop " + k + " has " + crops[k].length + " values, expected " + CROP * CROP);
            }
            double[] x = new double[CROP * CROP];
            for (int i = 0; i < x.length; i++) {
                x[i] = crops[k][i];
            }
            mu[k] = validConv(x, CROP);
            c[k] = new double[MID * MID];
            double[] c2 = new double[MID * MID];
            for (int r = 0; r < MID; r++) {
                for (int s = 0; s < MID; s++) {
                    double v = x[(r + 6) * CROP + s + 6] - mu[k][r * MID + s];
                    c[k][r * MID + s] = v;
                    c2[r * MID + s] = v * v;
                }
            }
            double[] var = validConv(c2, MID);
            sd[k] = new double[OUT * OUT];
            for (int i = 0; i < var.length; i++) {
                sd[k][i] = Math.sqrt(Math.max(var[i], 0));
                sumSd += sd[k][i];
            }
        }
        double floor = sumSd / ((double) n * OUT * OUT);
        for (int k = 0; k < n; k++) {
            for (int r = 0; r < OUT; r++) {
                for (int s = 0; s < OUT; s++) {
                    int i = r * OUT + s, j = (r + 6) * MID + s + 6;
                    double v = sd[k][i] > floor ? sd[k][i] : floor;
                    float st = Math.max((float) v, MIN_STD);
                    stdMap[k][i] = st;
                    meanMap[k][i] = (float) mu[k][j];
                    out[k][i] = (float) (c[k][j] / st);
                }
            }
        }
        return floor;
    }

    /** y·stdMap + meanMap: the centre x[12:40, 12:40] of the crop in normalized units. All (28×28). */
    public static float[] dewhiten(float[] y, float[] meanMap, float[] stdMap) {
        float[] x = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            x[i] = y[i] * stdMap[i] + meanMap[i];
        }
        return x;
    }

    /**
     * Valid 2-D correlation of a (n×n) image with the 13×13 kernel: (n−12)×(n−12). The kernel is the outer product
     * of a symmetric 1-D Gaussian, so this is two 1-D passes (26 instead of 169 multiply-adds per output).
     */
    static double[] validConv(double[] x, int n) {
        int m = n - KERNEL + 1;
        double[] rows = new double[n * m]; // (n×m) along columns first
        for (int r = 0; r < n; r++) {
            for (int s = 0; s < m; s++) {
                double acc = 0;
                for (int b = 0; b < KERNEL; b++) {
                    acc += G1[b] * x[r * n + s + b];
                }
                rows[r * m + s] = acc;
            }
        }
        double[] y = new double[m * m];
        for (int r = 0; r < m; r++) {
            for (int s = 0; s < m; s++) {
                double acc = 0;
                for (int a = 0; a < KERNEL; a++) {
                    acc += G1[a] * rows[(r + a) * m + s];
                }
                y[r * m + s] = acc;
            }
        }
        return y;
    }
}
