package org.varsparse.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.model.Adam;
import org.varsparse.model.ListaEncoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The low-data classifiers of eval_classification.py (METHOD §4.4): softmax regression
 * {@code logits = X·Wᵀ + b} (models/linear_classifier.py) on fixed features, or a fresh random LISTA encoder
 * followed by that linear layer, trained end to end (models/lista_classifier.py). Cross-entropy, Adam (lr 1e-3),
 * minibatches of the shuffled training set each epoch.
 *
 * <p>Model selection: after every epoch the validation CE is measured and the weights of the epoch with the
 * lowest one are kept; {@link #train} ends with those weights loaded. The reference saves the best model but tests
 * the last one (METHOD §7.9); {@link Result} reports both.
 */
public final class Classifier {
    public static final int CLASSES = 10;

    private final TensorOps ops;
    private final ListaEncoder lista; // null: softmax regression on the features
    private final Matrix w;           // (10×d)
    private final float[] b;          // (10)
    private final int featureDim;

    /** Softmax regression on d features, PyTorch Linear's init U(±1/√d). */
    public static Classifier linear(TensorOps ops, int d, long seed) {
        return new Classifier(ops, null, d, new SplittableRandom(seed));
    }

    /** A random LISTA (inputDim → codeDim, T_L stages) followed by Linear(codeDim → 10), trained jointly. */
    public static Classifier lista(TensorOps ops, int inputDim, int codeDim, int stages, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Classifier(ops, ListaEncoder.init(inputDim, codeDim, stages, rng), codeDim, rng);
    }

    private Classifier(TensorOps ops, ListaEncoder lista, int d, SplittableRandom rng) {
        this.ops = ops;
        this.lista = lista;
        this.featureDim = d;
        this.w = new Matrix(CLASSES, d);
        this.b = new float[CLASSES];
        double bound = 1 / Math.sqrt(d);
        for (int i = 0; i < w.data.length; i++) {
            w.data[i] = (float) rng.nextDouble(-bound, bound);
        }
        for (int i = 0; i < CLASSES; i++) {
            b[i] = (float) rng.nextDouble(-bound, bound);
        }
    }

    /** Training settings: the reference's 100 epochs, batch 250, lr 1e-3; seed for the epoch shuffles. */
    public record Config(int epochs, int batchSize, double lr, long seed) {
        public static final Config REFERENCE = new Config(100, 250, 1e-3, 31);
    }

    /** CE loss (mean), top-1 and top-3 accuracy. */
    public record Scores(double loss, double top1, double top3) {
    }

    /**
     * @param bestEpoch   1-based epoch of the lowest validation loss (the weights loaded at the end)
     * @param valLoss     validation CE after each epoch
     * @param bestVal     validation scores of the best epoch
     * @param lastVal     validation scores after the last epoch
     * @param lastWeights the last epoch's linear weights (10×d, then 10 biases), for comparison with the best
     * @param lastTest    test scores of the last epoch's weights (what the reference reports), or null
     */
    public record Result(int bestEpoch, double[] valLoss, Scores bestVal, Scores lastVal, float[] lastWeights,
                         Scores lastTest) {
    }

    /** Trains on (x, labels), selects on (xVal, valLabels); ends with the best-validation weights loaded. */
    public Result train(Matrix x, int[] labels, Matrix xVal, int[] valLabels, Config c) {
        return train(x, labels, xVal, valLabels, null, null, c);
    }

    /** As above, also scoring the last epoch's weights on (xTest, testLabels) before the best ones are loaded. */
    public Result train(Matrix x, int[] labels, Matrix xVal, int[] valLabels, Matrix xTest, int[] testLabels, Config c) {
        if (x.rows != labels.length || xVal.rows != valLabels.length) {
            throw new IllegalArgumentException("features " + x.shape() + " / " + xVal.shape() + " and labels "
                    + labels.length + " / " + valLabels.length + " differ in count");
        }
        int n = x.rows;
        int bs = Math.min(c.batchSize(), n);
        ListaEncoder.Workspace ws = lista == null ? null : lista.workspace(bs);
        Matrix gw = new Matrix(CLASSES, featureDim);
        float[] gb = new float[CLASSES];
        List<Adam.Param> params = new ArrayList<>(List.of(new Adam.Param("classifier.weight", w.data, gw.data),
                new Adam.Param("classifier.bias", b, gb)));
        if (ws != null) {
            params.addAll(ws.parameters());
        }
        Adam adam = new Adam(List.of(Adam.Group.of(c.lr(), 0, params.toArray(Adam.Param[]::new))));
        Matrix xb = new Matrix(bs, x.cols);
        Matrix probs = new Matrix(bs, CLASSES);
        Matrix gFeat = new Matrix(bs, featureDim);
        int[] yb = new int[bs];
        int[] order = new int[n];
        SplittableRandom rng = new SplittableRandom(c.seed());
        double[] valLoss = new double[c.epochs()];
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        float[] bestWeights = null;
        List<float[]> bestLista = null;
        Scores bestVal = null;
        for (int e = 0; e < c.epochs(); e++) {
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int k = 0; k + bs <= n; k += bs) { // n is a multiple of bs for 10·n samples per class
                for (int r = 0; r < bs; r++) {
                    System.arraycopy(x.data, order[k + r] * x.cols, xb.data, r * x.cols, x.cols);
                    yb[r] = labels[order[k + r]];
                }
                Matrix feat = ws == null ? xb : ws.forward(ops, xb);
                softmax(feat, probs);
                for (int r = 0; r < bs; r++) { // ∂CE/∂logits = (p − onehot)/B
                    for (int j = 0; j < CLASSES; j++) {
                        probs.data[r * CLASSES + j] = (probs.data[r * CLASSES + j] - (j == yb[r] ? 1f : 0f)) / bs;
                    }
                }
                ops.gemmTN(1f, probs, feat, 0f, gw); // (10×B)·(B×d)
                ops.colSums(probs, gb);
                if (ws != null) {
                    ops.gemm(1f, probs, w, 0f, gFeat); // (B×10)·(10×d)
                    ws.backwardFromGradient(ops, gFeat);
                }
                adam.step();
            }
            Scores v = score(xVal, valLabels);
            valLoss[e] = v.loss();
            if (v.loss() < best) {
                best = v.loss();
                bestEpoch = e + 1;
                bestVal = v;
                bestWeights = weights();
                bestLista = lista == null ? null : copies(ws.parameters());
            }
        }
        Scores lastVal = score(xVal, valLabels);
        Scores lastTest = xTest == null ? null : score(xTest, testLabels);
        float[] last = weights();
        if (bestWeights != null) {
            System.arraycopy(bestWeights, 0, w.data, 0, w.data.length);
            System.arraycopy(bestWeights, w.data.length, b, 0, CLASSES);
            if (bestLista != null) {
                for (int i = 0; i < bestLista.size(); i++) {
                    System.arraycopy(bestLista.get(i), 0, ws.parameters().get(i).value(), 0, bestLista.get(i).length);
                }
            }
        }
        return new Result(bestEpoch, valLoss, bestVal, lastVal, last, lastTest);
    }

    /** CE, top-1 and top-3 of the current weights on (x, labels), in chunks of 250. */
    public Scores score(Matrix x, int[] labels) {
        int chunk = 250;
        double loss = 0;
        long top1 = 0, top3 = 0;
        for (int k = 0; k < x.rows; k += chunk) {
            int m = Math.min(chunk, x.rows - k);
            Matrix xb = x.rowSlice(k, k + m);
            Matrix feat = xb;
            if (lista != null) {
                feat = new Matrix(m, featureDim);
                lista.encode(ops, xb, feat);
            }
            Matrix p = new Matrix(m, CLASSES);
            softmax(feat, p);
            for (int r = 0; r < m; r++) {
                int y = labels[k + r];
                float py = p.data[r * CLASSES + y];
                loss -= Math.log(Math.max(py, Float.MIN_NORMAL));
                int above = 0;
                for (int j = 0; j < CLASSES; j++) {
                    if (p.data[r * CLASSES + j] > py) {
                        above++;
                    }
                }
                top1 += above == 0 ? 1 : 0;
                top3 += above < 3 ? 1 : 0;
            }
        }
        return new Scores(loss / x.rows, (double) top1 / x.rows, (double) top3 / x.rows);
    }

    /** The linear layer's weights then biases (a copy). */
    public float[] weights() {
        float[] out = new float[w.data.length + CLASSES];
        System.arraycopy(w.data, 0, out, 0, w.data.length);
        System.arraycopy(b, 0, out, w.data.length, CLASSES);
        return out;
    }

    /** Softmax of feat·Wᵀ + b, row by row (max-shifted). feat (m×d); out (m×10). */
    private void softmax(Matrix feat, Matrix out) {
        ops.gemmNT(1f, feat, w, 0f, out); // (m×d)·(d×10)
        for (int r = 0; r < out.rows; r++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < CLASSES; j++) {
                out.data[r * CLASSES + j] += b[j];
                max = Math.max(max, out.data[r * CLASSES + j]);
            }
            double sum = 0;
            for (int j = 0; j < CLASSES; j++) {
                double ex = Math.exp(out.data[r * CLASSES + j] - max);
                out.data[r * CLASSES + j] = (float) ex;
                sum += ex;
            }
            for (int j = 0; j < CLASSES; j++) {
                out.data[r * CLASSES + j] /= (float) sum;
            }
        }
    }

    private static List<float[]> copies(List<Adam.Param> ps) {
        return ps.stream().map(p -> p.value().clone()).toList();
    }

    /** The first n indices of each class 0..9 in {@code labels}' order (eval_classification.py:116-120). */
    public static int[] firstPerClass(int[] labels, int n) {
        List<Integer> picked = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) {
            int got = 0;
            for (int i = 0; i < labels.length && got < n; i++) {
                if (labels[i] == c) {
                    picked.add(i);
                    got++;
                }
            }
            if (got < n) {
                throw new IllegalArgumentException("class " + c + " has only " + got + " examples, " + n + " requested");
            }
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }
}
