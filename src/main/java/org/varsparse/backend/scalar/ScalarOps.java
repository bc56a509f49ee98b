package org.varsparse.backend.scalar;

import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The oracle: plain loops, one thread, nothing clever. Every fast backend is tested against it.
 * GEMM sums each dot product in float, in index order; reductions sum in double. Stateless: safe to share.
 */
public final class ScalarOps extends TensorOps {

    @Override
    public String name() {
        return "scalar";
    }

    // ---------------------------------------------------------------- GEMM

    @Override
    protected void gemmNN(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        int m = a.rows, k = a.cols, n = b.cols;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.data[i * k + p] * b.data[p * n + j];
                }
                store(c, i * n + j, alpha * s, beta);
            }
        }
    }

    @Override
    protected void gemmNTKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        int m = a.rows, k = a.cols, n = b.rows;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.data[i * k + p] * b.data[j * k + p];
                }
                store(c, i * n + j, alpha * s, beta);
            }
        }
    }

    @Override
    protected void gemmTNKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        int k = a.rows, m = a.cols, n = b.cols;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a.data[p * m + i] * b.data[p * n + j];
                }
                store(c, i * n + j, alpha * s, beta);
            }
        }
    }

    private static void store(Matrix c, int idx, float v, float beta) {
        c.data[idx] = beta == 0f ? v : v + beta * c.data[idx];
    }

    // ---------------------------------------------------------------- reductions

    @Override
    protected void rowSumsKernel(Matrix a, float[] out) {
        for (int i = 0; i < a.rows; i++) {
            double s = 0;
            for (int j = 0; j < a.cols; j++) {
                s += a.data[i * a.cols + j];
            }
            out[i] = (float) s;
        }
    }

    @Override
    protected void colSumsKernel(Matrix a, float[] out) {
        for (int j = 0; j < a.cols; j++) {
            double s = 0;
            for (int i = 0; i < a.rows; i++) {
                s += a.data[i * a.cols + j];
            }
            out[j] = (float) s;
        }
    }

    @Override
    protected void colStdKernel(Matrix a, float[] mean, float[] out) {
        for (int j = 0; j < a.cols; j++) {
            double s = 0;
            for (int i = 0; i < a.rows; i++) {
                double d = a.data[i * a.cols + j] - mean[j];
                s += d * d;
            }
            out[j] = (float) Math.sqrt(s / (a.rows - 1));
        }
    }

    @Override
    protected void rowNormsKernel(Matrix a, float[] out) {
        for (int i = 0; i < a.rows; i++) {
            double s = 0;
            for (int j = 0; j < a.cols; j++) {
                double v = a.data[i * a.cols + j];
                s += v * v;
            }
            out[i] = (float) Math.sqrt(s);
        }
    }

    @Override
    protected void rowSquaredDistancesKernel(Matrix a, Matrix b, float[] out) {
        for (int i = 0; i < a.rows; i++) {
            double s = 0;
            for (int j = 0; j < a.cols; j++) {
                double d = a.data[i * a.cols + j] - b.data[i * a.cols + j];
                s += d * d;
            }
            out[i] = (float) s;
        }
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    protected void softThresholdNonNegKernel(Matrix x, float t, Matrix out) {
        for (int i = 0; i < x.data.length; i++) {
            out.data[i] = Math.max(0f, x.data[i] - t);
        }
    }

    @Override
    protected void axpbyKernel(float alpha, Matrix x, float beta, Matrix y) {
        for (int i = 0; i < x.data.length; i++) {
            y.data[i] = alpha * x.data[i] + beta * y.data[i];
        }
    }

    @Override
    protected void fistaMomentumKernel(Matrix z, Matrix zOld, float coef, Matrix aux) {
        for (int i = 0; i < z.data.length; i++) {
            aux.data[i] = z.data[i] + coef * (z.data[i] - zOld.data[i]);
        }
    }

    @Override
    protected void reluKernel(Matrix x, Matrix out) {
        for (int i = 0; i < x.data.length; i++) {
            out.data[i] = Math.max(0f, x.data[i]);
        }
    }

    @Override
    protected void reluBackwardKernel(Matrix pre, Matrix grad) {
        for (int i = 0; i < pre.data.length; i++) {
            if (!(pre.data[i] > 0f)) {
                grad.data[i] = 0f;
            }
        }
    }

    @Override
    protected void maskedProxStepKernel(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda, Matrix z) {
        int n = aux.cols;
        for (int i = 0; i < aux.rows; i++) {
            float live = 1f - stopped[i];
            float step = live * eta;
            float thr = live * lambda * eta;
            for (int j = 0; j < n; j++) {
                int idx = i * n + j;
                z.data[idx] = Math.max(0f, aux.data[idx] - step * grad.data[idx] - thr);
            }
        }
    }

    @Override
    protected void addRowVectorKernel(Matrix x, float[] v) {
        for (int i = 0; i < x.rows; i++) {
            for (int j = 0; j < x.cols; j++) {
                x.data[i * x.cols + j] += v[j];
            }
        }
    }
}
