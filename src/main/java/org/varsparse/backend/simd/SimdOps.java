package org.varsparse.backend.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The Vector API backend (the only code that imports jdk.incubator.vector; loaded by {@code Backends}
 * through reflection after it checked the module is readable).
 *
 * <p>GEMMs: {@link Gemm}, register-blocked and multithreaded over a fixed partition, accumulating in float
 * with fma; results are bit-identical for any thread count. Reductions accumulate in <b>double lanes</b>
 * (floats widened to doubles), like the scalar oracle, and run on the calling thread, as do the elementwise
 * kernels (memory-bound, O(B·l)); those do the oracle's float operations in the same order, without fma, so
 * they match it bit for bit.
 *
 * <p>Safe to share between threads: concurrent GEMMs are serialised on the worker pool's lock (each gets its own
 * result, the same bits as alone); everything else runs on the calling thread and keeps no state between calls.
 */
public final class SimdOps extends TensorOps {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats that widen into one preferred double vector (half the preferred float width). */
    private static final VectorSpecies<Float> FH =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    private final WorkerPool pool;
    private final Gemm gemm;

    /** A backend with {@code threads} GEMM workers (the caller counts as one; the rest are parked daemons). */
    public SimdOps(int threads) {
        this.pool = new WorkerPool(threads, "varsparse-simd");
        this.gemm = new Gemm(pool);
    }

    /** Bit size of the preferred float vector on this CPU (what Backends checks before choosing simd). */
    public static int vectorBits() {
        return F.vectorBitSize();
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public int threads() {
        return pool.size();
    }

    // ---------------------------------------------------------------- GEMM

    @Override
    protected void gemmNN(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm.multiply(Gemm.Form.NN, alpha, a.data, b.data, beta, c.data, a.rows, b.cols, a.cols);
    }

    @Override
    protected void gemmNTKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm.multiply(Gemm.Form.NT, alpha, a.data, b.data, beta, c.data, a.rows, b.rows, a.cols);
    }

    @Override
    protected void gemmTNKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm.multiply(Gemm.Form.TN, alpha, a.data, b.data, beta, c.data, a.cols, b.cols, a.rows);
    }

    // ---------------------------------------------------------------- reductions (double lanes)

    private static DoubleVector widen(float[] x, int i) {
        return (DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(VectorOperators.F2D, D, 0);
    }

    @Override
    protected void rowSumsKernel(Matrix a, float[] out) {
        int n = a.cols, bound = FH.loopBound(n);
        for (int i = 0; i < a.rows; i++) {
            int row = i * n;
            DoubleVector acc = DoubleVector.zero(D);
            int j = 0;
            for (; j < bound; j += FH.length()) {
                acc = acc.add(widen(a.data, row + j));
            }
            double s = acc.reduceLanes(VectorOperators.ADD);
            for (; j < n; j++) {
                s += a.data[row + j];
            }
            out[i] = (float) s;
        }
    }

    @Override
    protected void colSumsKernel(Matrix a, float[] out) {
        int n = a.cols, bound = FH.loopBound(n);
        int j = 0;
        for (; j < bound; j += FH.length()) {
            DoubleVector acc = DoubleVector.zero(D);
            for (int i = 0, idx = j; i < a.rows; i++, idx += n) {
                acc = acc.add(widen(a.data, idx));
            }
            ((FloatVector) acc.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, j);
        }
        for (; j < n; j++) {
            double s = 0;
            for (int i = 0; i < a.rows; i++) {
                s += a.data[i * n + j];
            }
            out[j] = (float) s;
        }
    }

    @Override
    protected void colStdKernel(Matrix a, float[] mean, float[] out) {
        int n = a.cols, bound = FH.loopBound(n);
        double denom = a.rows - 1;
        int j = 0;
        for (; j < bound; j += FH.length()) {
            FloatVector mu = FloatVector.fromArray(FH, mean, j);
            DoubleVector acc = DoubleVector.zero(D);
            for (int i = 0, idx = j; i < a.rows; i++, idx += n) {
                FloatVector d = FloatVector.fromArray(FH, a.data, idx).sub(mu); // float difference, as the oracle
                DoubleVector dd = (DoubleVector) d.convertShape(VectorOperators.F2D, D, 0);
                acc = dd.fma(dd, acc);
            }
            ((FloatVector) acc.div(denom).sqrt().convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, j);
        }
        for (; j < n; j++) {
            double s = 0;
            for (int i = 0; i < a.rows; i++) {
                double d = a.data[i * n + j] - mean[j];
                s += d * d;
            }
            out[j] = (float) Math.sqrt(s / denom);
        }
    }

    @Override
    protected void rowNormsKernel(Matrix a, float[] out) {
        int n = a.cols, bound = FH.loopBound(n);
        for (int i = 0; i < a.rows; i++) {
            int row = i * n;
            DoubleVector acc = DoubleVector.zero(D);
            int j = 0;
            for (; j < bound; j += FH.length()) {
                DoubleVector v = widen(a.data, row + j);
                acc = v.fma(v, acc);
            }
            double s = acc.reduceLanes(VectorOperators.ADD);
            for (; j < n; j++) {
                double v = a.data[row + j];
                s += v * v;
            }
            out[i] = (float) Math.sqrt(s);
        }
    }

    @Override
    protected void rowSquaredDistancesKernel(Matrix a, Matrix b, float[] out) {
        int n = a.cols, bound = FH.loopBound(n);
        for (int i = 0; i < a.rows; i++) {
            int row = i * n;
            DoubleVector acc = DoubleVector.zero(D);
            int j = 0;
            for (; j < bound; j += FH.length()) {
                FloatVector d = FloatVector.fromArray(FH, a.data, row + j).sub(FloatVector.fromArray(FH, b.data, row + j));
                DoubleVector dd = (DoubleVector) d.convertShape(VectorOperators.F2D, D, 0);
                acc = dd.fma(dd, acc);
            }
            double s = acc.reduceLanes(VectorOperators.ADD);
            for (; j < n; j++) {
                double d = a.data[row + j] - b.data[row + j];
                s += d * d;
            }
            out[i] = (float) s;
        }
    }

    // ---------------------------------------------------------------- elementwise (float lanes)

    @Override
    protected void softThresholdNonNegKernel(Matrix x, float t, Matrix out) {
        float[] xs = x.data, os = out.data;
        int n = xs.length, bound = F.loopBound(n), i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector.fromArray(F, xs, i).sub(t).max(0f).intoArray(os, i);
        }
        for (; i < n; i++) {
            os[i] = Math.max(0f, xs[i] - t);
        }
    }

    @Override
    protected void axpbyKernel(float alpha, Matrix x, float beta, Matrix y) {
        float[] xs = x.data, ys = y.data;
        int n = xs.length, bound = F.loopBound(n), i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector.fromArray(F, xs, i).mul(alpha).add(FloatVector.fromArray(F, ys, i).mul(beta)).intoArray(ys, i);
        }
        for (; i < n; i++) {
            ys[i] = alpha * xs[i] + beta * ys[i];
        }
    }

    @Override
    protected void fistaMomentumKernel(Matrix z, Matrix zOld, float coef, Matrix aux) {
        float[] zs = z.data, os = zOld.data, as = aux.data;
        int n = zs.length, bound = F.loopBound(n), i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector zv = FloatVector.fromArray(F, zs, i);
            zv.add(zv.sub(FloatVector.fromArray(F, os, i)).mul(coef)).intoArray(as, i);
        }
        for (; i < n; i++) {
            as[i] = zs[i] + coef * (zs[i] - os[i]);
        }
    }

    @Override
    protected void reluKernel(Matrix x, Matrix out) {
        float[] xs = x.data, os = out.data;
        int n = xs.length, bound = F.loopBound(n), i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector.fromArray(F, xs, i).max(0f).intoArray(os, i);
        }
        for (; i < n; i++) {
            os[i] = Math.max(0f, xs[i]);
        }
    }

    @Override
    protected void reluBackwardKernel(Matrix pre, Matrix grad) {
        float[] ps = pre.data, gs = grad.data;
        int n = ps.length, bound = F.loopBound(n), i = 0;
        FloatVector zero = FloatVector.zero(F);
        for (; i < bound; i += F.length()) {
            VectorMask<Float> off = FloatVector.fromArray(F, ps, i).compare(VectorOperators.GT, 0f).not();
            FloatVector.fromArray(F, gs, i).blend(zero, off).intoArray(gs, i);
        }
        for (; i < n; i++) {
            if (!(ps[i] > 0f)) {
                gs[i] = 0f;
            }
        }
    }

    @Override
    protected void maskedProxStepKernel(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda, Matrix z) {
        int n = aux.cols, bound = F.loopBound(n);
        float[] as = aux.data, gs = grad.data, zs = z.data;
        for (int r = 0; r < aux.rows; r++) {
            float live = 1f - stopped[r];
            float step = live * eta;
            float thr = live * lambda * eta;
            int row = r * n, j = 0;
            for (; j < bound; j += F.length()) {
                FloatVector av = FloatVector.fromArray(F, as, row + j);
                av.sub(FloatVector.fromArray(F, gs, row + j).mul(step)).sub(thr).max(0f).intoArray(zs, row + j);
            }
            for (; j < n; j++) {
                int idx = row + j;
                zs[idx] = Math.max(0f, as[idx] - step * gs[idx] - thr);
            }
        }
    }

    /**
     * Half-width float lanes (FH) throughout, so the double-lane reductions see the same chunks in the same order
     * as {@link #rowSquaredDistancesKernel} and {@link #rowNormsKernel}: bit-identical to the four separate kernels.
     */
    @Override
    protected void fistaStepKernel(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda, float coef,
                                   Matrix z, float[] distSq, float[] oldNorm) {
        int n = aux.cols, bound = FH.loopBound(n);
        float[] as = aux.data, gs = grad.data, zs = z.data;
        for (int r = 0; r < aux.rows; r++) {
            float live = 1f - stopped[r];
            float step = live * eta;
            float thr = live * lambda * eta;
            int row = r * n, j = 0;
            DoubleVector dAcc = DoubleVector.zero(D), nAcc = DoubleVector.zero(D);
            for (; j < bound; j += FH.length()) {
                int idx = row + j;
                FloatVector zo = FloatVector.fromArray(FH, zs, idx);
                FloatVector zn = FloatVector.fromArray(FH, as, idx)
                        .sub(FloatVector.fromArray(FH, gs, idx).mul(step)).sub(thr).max(0f);
                zn.intoArray(zs, idx);
                zn.add(zn.sub(zo).mul(coef)).intoArray(as, idx);
                DoubleVector dd = (DoubleVector) zo.sub(zn).convertShape(VectorOperators.F2D, D, 0);
                dAcc = dd.fma(dd, dAcc);
                DoubleVector od = (DoubleVector) zo.convertShape(VectorOperators.F2D, D, 0);
                nAcc = od.fma(od, nAcc);
            }
            double dist = dAcc.reduceLanes(VectorOperators.ADD), norm = nAcc.reduceLanes(VectorOperators.ADD);
            for (; j < n; j++) {
                int idx = row + j;
                float zo = zs[idx];
                float zn = Math.max(0f, as[idx] - step * gs[idx] - thr);
                zs[idx] = zn;
                as[idx] = zn + coef * (zn - zo);
                double d = zo - zn;
                dist += d * d;
                double o = zo;
                norm += o * o;
            }
            distSq[r] = (float) dist;
            oldNorm[r] = (float) Math.sqrt(norm);
        }
    }

    @Override
    protected void addHingeAndCodeTermsKernel(Matrix a, float[] colCoef, float[] colMean, float codeCoef, Matrix e,
                                              Matrix g) {
        int n = a.cols, bound = F.loopBound(n);
        float[] as = a.data, gs = g.data, es = e == null ? null : e.data;
        for (int r = 0; r < a.rows; r++) {
            int row = r * n, j = 0;
            if (colCoef != null && es != null) {
                for (; j < bound; j += F.length()) {
                    FloatVector v = FloatVector.fromArray(F, as, row + j);
                    FloatVector add = v.sub(FloatVector.fromArray(F, colMean, j)).mul(FloatVector.fromArray(F, colCoef, j))
                            .add(v.sub(FloatVector.fromArray(F, es, row + j)).mul(codeCoef));
                    FloatVector.fromArray(F, gs, row + j).add(add).intoArray(gs, row + j);
                }
            } else if (colCoef != null) {
                for (; j < bound; j += F.length()) {
                    FloatVector v = FloatVector.fromArray(F, as, row + j);
                    FloatVector add = v.sub(FloatVector.fromArray(F, colMean, j)).mul(FloatVector.fromArray(F, colCoef, j));
                    FloatVector.fromArray(F, gs, row + j).add(add).intoArray(gs, row + j);
                }
            } else {
                for (; j < bound; j += F.length()) {
                    FloatVector v = FloatVector.fromArray(F, as, row + j);
                    FloatVector add = FloatVector.zero(F).add(v.sub(FloatVector.fromArray(F, es, row + j)).mul(codeCoef)); // 0 + x, as the oracle
                    FloatVector.fromArray(F, gs, row + j).add(add).intoArray(gs, row + j);
                }
            }
            for (; j < n; j++) {
                int idx = row + j;
                float v = as[idx];
                float add = colCoef != null ? colCoef[j] * (v - colMean[j]) : 0f;
                if (es != null) {
                    add += codeCoef * (v - es[idx]);
                }
                gs[idx] += add;
            }
        }
    }

    @Override
    protected void addRowVectorKernel(Matrix x, float[] v) {
        int n = x.cols, bound = F.loopBound(n);
        float[] xs = x.data;
        for (int r = 0; r < x.rows; r++) {
            int row = r * n, j = 0;
            for (; j < bound; j += F.length()) {
                FloatVector.fromArray(F, xs, row + j).add(FloatVector.fromArray(F, v, j)).intoArray(xs, row + j);
            }
            for (; j < n; j++) {
                xs[row + j] += v[j];
            }
        }
    }
}
