package org.varsparse.testutil;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.model.Weights;
import org.varsparse.tensor.Matrix;

/**
 * A known dictionary D (P×l, unit-norm columns, the atoms) and data drawn from it, y = D·z + noise, with
 * k-sparse non-negative codes z (k distinct components per sample, magnitudes uniform in [lo, hi)). Rows of
 * the generated matrices are samples, as in the trainer's batches: Y (N×P), Z (N×l).
 *
 * <p>Also the yardstick for learned dictionaries: a dictionary is recovered up to permutation and positive
 * scale, so atoms are compared by cosine after a one-to-one matching ({@link #matchCosines}).
 */
public final class SyntheticDictionary {
    public final Matrix atoms; // (P×l), unit-norm columns

    private SyntheticDictionary(Matrix atoms) {
        this.atoms = atoms;
    }

    /** Atoms with i.i.d. N(0, 1) entries, then unit-normalised (incoherent for P ≫ log l). */
    public static SyntheticDictionary gaussian(int p, int l, SplittableRandom rng) {
        Matrix d = new Matrix(p, l);
        for (int i = 0; i < d.data.length; i++) {
            d.data[i] = (float) gaussian(rng);
        }
        normalize(d);
        return new SyntheticDictionary(d);
    }

    /** Atoms with i.i.d. U(0, 1) entries, then unit-normalised (non-negative, hence more coherent). */
    public static SyntheticDictionary nonNegative(int p, int l, SplittableRandom rng) {
        Matrix d = new Matrix(p, l);
        for (int i = 0; i < d.data.length; i++) {
            d.data[i] = (float) rng.nextDouble();
        }
        normalize(d);
        return new SyntheticDictionary(d);
    }

    public int inputDim() {
        return atoms.rows;
    }

    public int codeDim() {
        return atoms.cols;
    }

    /** Samples Y (N×P) and their true codes Z (N×l). */
    public record Data(Matrix y, Matrix z) {
    }

    /**
     * n samples y = D·z + σ·N(0, I): each z has k distinct non-zero components, chosen uniformly, with
     * magnitudes uniform in [lo, hi).
     */
    public Data sample(int n, int k, double lo, double hi, double noise, SplittableRandom rng) {
        int p = inputDim(), l = codeDim();
        if (k < 1 || k > l || !(lo >= 0 && hi >= lo) || !(noise >= 0)) {
            throw new IllegalArgumentException("need 1 <= k <= l, 0 <= lo <= hi, noise >= 0; got k=" + k + ", l=" + l
                    + ", [" + lo + ", " + hi + "), noise " + noise);
        }
        Matrix z = new Matrix(n, l);
        Matrix y = new Matrix(n, p);
        int[] idx = new int[l];
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < l; j++) {
                idx[j] = j;
            }
            for (int m = 0; m < k; m++) { // partial Fisher–Yates: idx[0..k) is a uniform k-subset
                int r = m + rng.nextInt(l - m);
                int t = idx[m];
                idx[m] = idx[r];
                idx[r] = t;
                z.set(s, idx[m], (float) (lo + (hi - lo) * rng.nextDouble()));
            }
            for (int i = 0; i < p; i++) {
                double acc = noise * gaussian(rng);
                for (int m = 0; m < k; m++) {
                    acc += atoms.get(i, idx[m]) * z.get(s, idx[m]);
                }
                y.set(s, i, (float) acc);
            }
        }
        return new Data(y, z);
    }

    /**
     * For each true atom (column of {@code truth}, P×l), the cosine with the learned atom (column of
     * {@code learned}, P×m, m ≥ l) it is matched to one to one: pairs are taken greedily by decreasing signed
     * cosine, each atom used at most once (for well-separated atoms this is the optimal assignment).
     * Zero learned columns have cosine 0.
     */
    public static double[] matchCosines(Matrix truth, Matrix learned) {
        if (truth.rows != learned.rows || learned.cols < truth.cols) {
            throw new IllegalArgumentException("truth " + truth.shape() + " and learned " + learned.shape()
                    + " need the same P and at least as many learned atoms");
        }
        int l = truth.cols, m = learned.cols;
        double[][] cos = new double[l][m];
        List<int[]> pairs = new ArrayList<>();
        for (int a = 0; a < l; a++) {
            for (int b = 0; b < m; b++) {
                cos[a][b] = cosine(truth, a, learned, b);
                pairs.add(new int[] {a, b});
            }
        }
        pairs.sort((u, v) -> Double.compare(cos[v[0]][v[1]], cos[u[0]][u[1]]));
        double[] best = new double[l];
        Arrays.fill(best, Double.NaN);
        boolean[] used = new boolean[m];
        int matched = 0;
        for (int[] pr : pairs) {
            if (matched == l) {
                break;
            }
            if (Double.isNaN(best[pr[0]]) && !used[pr[1]]) {
                best[pr[0]] = cos[pr[0]][pr[1]];
                used[pr[1]] = true;
                matched++;
            }
        }
        return best;
    }

    /** Cosine between column a of x and column b of y (0 if either is zero). */
    public static double cosine(Matrix x, int a, Matrix y, int b) {
        double dot = 0, nx = 0, ny = 0;
        for (int i = 0; i < x.rows; i++) {
            double u = x.get(i, a), v = y.get(i, b);
            dot += u * v;
            nx += u * u;
            ny += v * v;
        }
        return nx == 0 || ny == 0 ? 0 : dot / Math.sqrt(nx * ny);
    }

    private static void normalize(Matrix d) {
        double[] n = Weights.columnNorms(d);
        for (int i = 0; i < d.rows; i++) {
            for (int j = 0; j < d.cols; j++) {
                d.set(i, j, (float) (d.get(i, j) / n[j]));
            }
        }
    }

    /** A standard normal deviate (Box–Muller; one of the pair is discarded for simplicity). */
    private static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble(); // (0, 1]
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * rng.nextDouble());
    }
}
