package org.varsparse.tornado;

import static org.varsparse.tornado.FistaKernels.BETA;
import static org.varsparse.tornado.FistaKernels.CODE_COEF;
import static org.varsparse.tornado.FistaKernels.DONE;
import static org.varsparse.tornado.FistaKernels.ETA;
import static org.varsparse.tornado.FistaKernels.ITERATIONS;
import static org.varsparse.tornado.FistaKernels.LAMBDA;
import static org.varsparse.tornado.FistaKernels.MAX_STEPS;
import static org.varsparse.tornado.FistaKernels.THRESHOLD;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The non-GEMM kernels of one FISTA iteration ({@link StepVariant#GROUPS}) as work-group reductions with
 * {@link KernelContext}: {@link #LANES} work-items share each reduction through local memory, so no work-item runs
 * a loop over the whole batch (the {@link StepVariant#LOOPS} kernels {@link FistaKernels#columnStats},
 * {@link FistaKernels#proxStep} and {@link FistaKernels#finishIteration} each loop over B or l in one work-item,
 * which on a GPU costs one memory latency per element). Same formulas as those kernels; the double sums are
 * lane partials (lane t takes elements t, t + LANES, …) combined by a tree, not one sum in increasing order, so a
 * sum may differ from the scalar oracle's in its last double bits (before it is rounded to float).
 *
 * <p>Launch: one work-group of {@link #LANES} work-items per column ({@link #columnStats}: global l·LANES), per row
 * ({@link #proxStep}: global B·LANES) and one in all ({@link #finish}: global LANES), set in the plan's
 * GridScheduler. Every barrier is reached by every work-item of the group: the DONE test guards the work between
 * barriers, not the barriers. These kernels are not plain Java (KernelContext's ids are fixed there): they are
 * tested on a device against the scalar oracle.
 */
public final class GroupKernels {
    /** Work-items per work-group (a power of two, for the tree). */
    public static final int LANES = 128;

    private GroupKernels() {
    }

    /**
     * Work-group j (column j), when β > 0: mean_j, the unbiased std_j and hinge_j as
     * {@link FistaKernels#columnStats}. a (B×l); mean, std, hinge (l).
     */
    public static void columnStats(KernelContext ctx, FloatArray a, FloatArray mean, FloatArray std, FloatArray hinge,
                                   FloatArray params, IntArray state, int rows, int l) {
        int j = ctx.groupIdx;
        int t = ctx.localIdx;
        double[] acc = ctx.allocateDoubleLocalArray(LANES);
        float beta = params.get(BETA);
        boolean live = state.get(DONE) == 0 && beta > 0f;
        double s = 0;
        if (live) {
            for (int i = t; i < rows; i += LANES) {
                s += a.get(i * l + j);
            }
        }
        acc[t] = s;
        ctx.localBarrier();
        for (int stride = LANES / 2; stride > 0; stride /= 2) {
            if (t < stride) {
                acc[t] += acc[t + stride];
            }
            ctx.localBarrier();
        }
        float m = ((float) acc[0]) * (1.0f / rows);
        ctx.localBarrier(); // every lane has read acc[0] before it is overwritten
        double q = 0;
        if (live) {
            for (int i = t; i < rows; i += LANES) {
                double d = a.get(i * l + j) - m;
                q += d * d;
            }
        }
        acc[t] = q;
        ctx.localBarrier();
        for (int stride = LANES / 2; stride > 0; stride /= 2) {
            if (t < stride) {
                acc[t] += acc[t + stride];
            }
            ctx.localBarrier();
        }
        if (live && t == 0) {
            float sd = (float) TornadoMath.sqrt(acc[0] / (rows - 1));
            mean.set(j, m);
            std.set(j, sd);
            hinge.set(j, FistaKernels.hingeCoefficient(sd, params.get(THRESHOLD), beta, rows));
        }
    }

    /**
     * Work-group i (row i): the masked prox step, the momentum update and the row's stop test as
     * {@link FistaKernels#proxStep}, lane t taking columns t, t + LANES, …; the row's squared distance and old norm
     * are tree sums of the lanes' partials. aux, grad, e, z (B×l); hinge, mean (l); stopped, steps (B).
     */
    public static void proxStep(KernelContext ctx, FloatArray aux, FloatArray grad, FloatArray e, FloatArray z,
                                FloatArray hinge, FloatArray mean, FloatArray stopped, IntArray steps,
                                FloatArray momentum, FloatArray params, IntArray state, int rows, int l) {
        int i = ctx.groupIdx;
        int t = ctx.localIdx;
        double[] dist = ctx.allocateDoubleLocalArray(LANES);
        double[] norm = ctx.allocateDoubleLocalArray(LANES);
        boolean live = state.get(DONE) == 0;
        double ds = 0;
        double ns = 0;
        if (live) {
            float keep = 1f - stopped.get(i);
            float eta = params.get(ETA);
            float step = keep * eta;
            float thr = keep * params.get(LAMBDA) * eta;
            float beta = params.get(BETA);
            float codeCoef = params.get(CODE_COEF);
            float coef = momentum.get(state.get(ITERATIONS));
            for (int j = t; j < l; j += LANES) {
                int idx = i * l + j;
                float zn = FistaKernels.proxValue(aux, grad, e, hinge, mean, idx, j, beta, codeCoef, step, thr);
                float zo = z.get(idx);
                z.set(idx, zn);
                aux.set(idx, zn + coef * (zn - zo));
                double d = zo - zn;
                ds += d * d;
                double o = zo;
                ns += o * o;
            }
        }
        dist[t] = ds;
        norm[t] = ns;
        ctx.localBarrier(); // also: every lane has read stopped[i] before lane 0 rewrites it
        for (int stride = LANES / 2; stride > 0; stride /= 2) {
            if (t < stride) {
                dist[t] += dist[t + stride];
                norm[t] += norm[t + stride];
            }
            ctx.localBarrier();
        }
        if (live && t == 0) {
            FistaKernels.stopTest(stopped, steps, params, i, dist[0], norm[0]);
        }
    }

    /**
     * One work-group: counts the iteration and sets DONE when every row has converged or K iterations ran, as
     * {@link FistaKernels#finishIteration}; lane t looks at rows t, t + LANES, ….
     */
    public static void finish(KernelContext ctx, FloatArray stopped, IntArray state, FloatArray params, int rows) {
        int t = ctx.localIdx;
        int[] live = ctx.allocateIntLocalArray(LANES);
        boolean running = state.get(DONE) == 0;
        int n = 0;
        if (running) {
            for (int i = t; i < rows; i += LANES) {
                if (stopped.get(i) == 0f) {
                    n++;
                }
            }
        }
        live[t] = n;
        ctx.localBarrier(); // also: every lane has read DONE before lane 0 writes it
        for (int stride = LANES / 2; stride > 0; stride /= 2) {
            if (t < stride) {
                live[t] += live[t + stride];
            }
            ctx.localBarrier();
        }
        if (running && t == 0) {
            int k = state.get(ITERATIONS) + 1;
            state.set(ITERATIONS, k);
            if (live[0] == 0 || k >= (int) params.get(MAX_STEPS)) {
                state.set(DONE, 1);
            }
        }
    }
}
