package org.varsparse.tornado.check;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.tornado.FistaKernels;
import org.varsparse.tornado.GroupKernels;
import org.varsparse.tornado.KernelVariant;
import org.varsparse.tornado.StepVariant;
import org.varsparse.tornado.TornadoOps;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Every kernel on the device against the scalar oracle ({@link ScalarOps}) on small awkward sizes, the GEMM kernels
 * in both {@link KernelVariant}s (the tiled ones' checks are named "tiled …"). Used by the JUnit tests (PoCL here)
 * and by {@link GpuCheck} (the GPU), so both run exactly the same comparisons.
 */
public final class KernelChecks {
    private static final TensorOps CPU = new ScalarOps();
    /** GEMM shapes (m, n, k): ragged 4 × 4 tile edges (7, 33, 9, 5, 17), m or n below 4 (all edge tiles), k = 1. */
    private static final int[][] GEMM_SHAPES = {{7, 33, 17}, {1, 9, 100}, {33, 5, 3}, {100, 17, 1}};
    /** Decoder-gradient sizes (B, l, H, P). */
    private static final int[][] DECODER_SIZES = {{5, 3, 7, 11}, {33, 17, 100, 7}};

    private KernelChecks() {
    }

    /**
     * Every check of the backend's kernel variant: the GEMMs through it, the decoder gradients, and (plain: the
     * step kernels have one form) the FISTA step.
     */
    public static List<Check> all(TornadoOps device, List<StepVariant> steps) throws TornadoExecutionPlanException {
        List<Check> out = new ArrayList<>();
        out.addAll(gemms(device));
        out.addAll(decoderGradients(device.kernels()));
        if (device.kernels() == KernelVariant.PLAIN) {
            for (StepVariant s : steps) {
                out.addAll(fistaStep(s, 257, 9));
                out.addAll(fistaStep(s, 37, 300));
            }
        }
        return out;
    }

    private static String prefix(KernelVariant kernels) {
        return kernels == KernelVariant.TILED ? "tiled " : "";
    }

    /**
     * The three GEMM forms through the backend's facade (so with its kernels), alpha = −1.5, beta = 0.5 and beta = 0,
     * on {@link #GEMM_SHAPES}.
     */
    public static List<Check> gemms(TornadoOps device) {
        List<Check> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(11);
        String tag = prefix(device.kernels());
        for (int[] s : GEMM_SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            for (float beta : new float[] {0.5f, 0f}) {
                Matrix a = Matrix.uniform(m, k, -1, 1, rng), b = Matrix.uniform(k, n, -1, 1, rng);
                Matrix bt = b.transpose(), at = a.transpose();
                Matrix c0 = Matrix.uniform(m, n, -1, 1, rng);
                if (beta == 0f) {
                    c0.fill(Float.NaN); // beta = 0 must ignore C
                }
                String shape = " " + m + "x" + n + "x" + k + " beta " + beta;
                Matrix want = c0.copy(), got = c0.copy();
                CPU.gemm(-1.5f, a, b, beta, want);
                device.gemm(-1.5f, a, b, beta, got);
                out.add(new Check(tag + "gemm A·B" + shape, Check.maxRel(got.data, want.data, 1), 1e-5, ""));
                want = c0.copy();
                got = c0.copy();
                CPU.gemmNT(-1.5f, a, bt, beta, want);
                device.gemmNT(-1.5f, a, bt, beta, got);
                out.add(new Check(tag + "gemm A·Bᵀ" + shape, Check.maxRel(got.data, want.data, 1), 1e-5, ""));
                want = c0.copy();
                got = c0.copy();
                CPU.gemmTN(-1.5f, at, b, beta, want);
                device.gemmTN(-1.5f, at, b, beta, got);
                out.add(new Check(tag + "gemm Aᵀ·B" + shape, Check.maxRel(got.data, want.data, 1), 1e-5, ""));
            }
        }
        return out;
    }

    /** {@link #decoderGradients(KernelVariant, int, int, int, int)} at each of {@link #DECODER_SIZES}. */
    public static List<Check> decoderGradients(KernelVariant kernels) throws TornadoExecutionPlanException {
        List<Check> out = new ArrayList<>();
        for (int[] s : DECODER_SIZES) {
            out.addAll(decoderGradients(kernels, s[0], s[1], s[2], s[3]));
        }
        return out;
    }

    /**
     * Gram-form gradient (plain only: it has no tiled form), and the one-hidden-layer chain (weight transposes,
     * hidden forward, residual, hidden backward, code gradient; the plain or the tiled kernels) at B, l, H, P,
     * against the same sequence of ScalarOps calls Fista makes.
     */
    public static List<Check> decoderGradients(KernelVariant kernels, int b, int l, int h, int p)
            throws TornadoExecutionPlanException {
        SplittableRandom rng = new SplittableRandom(12);
        Matrix aux = Matrix.uniform(b, l, -1, 1, rng), w1 = Matrix.uniform(h, l, -1, 1, rng);
        float[] b1 = Matrix.uniform(1, h, -0.5f, 0.5f, rng).data;
        Matrix w2 = Matrix.uniform(p, h, -1, 1, rng), y = Matrix.uniform(b, p, -1, 1, rng);
        Matrix gram = Matrix.uniform(l, l, -1, 1, rng), yw = Matrix.uniform(b, l, -1, 1, rng);
        float scale = 2f / p;
        // CPU, as Fista.reconstructionGradient
        Matrix gramGrad = yw.copy();
        CPU.gemm(scale, aux, gram, -scale, gramGrad);
        Matrix hid = new Matrix(b, h), res = new Matrix(b, p), gh = new Matrix(b, h), grad = new Matrix(b, l);
        CPU.gemmNT(1f, aux, w1, 0f, hid);
        CPU.addRowVector(hid, b1);
        CPU.relu(hid, hid);
        CPU.gemmNT(1f, hid, w2, 0f, res);
        for (int i = 0; i < res.data.length; i++) {
            res.data[i] = scale * (res.data[i] - y.data[i]);
        }
        CPU.gemm(1f, res, w2, 0f, gh);
        CPU.reluBackward(hid, gh);
        CPU.gemm(1f, gh, w1, 0f, grad);
        // device
        FloatArray dAux = fa(aux.data), dW1 = fa(w1.data), dB1 = fa(b1), dW2 = fa(w2.data), dY = fa(y.data);
        FloatArray dW1t = new FloatArray(l * h), dW2t = new FloatArray(h * p); // transposed on the device
        FloatArray dGram = fa(gram.data), dYw = fa(yw.data), params = new FloatArray(FistaKernels.PARAMS);
        params.set(FistaKernels.SCALE, scale);
        IntArray state = new IntArray(FistaKernels.STATE); // 0: running
        FloatArray dGramGrad = new FloatArray(b * l), dHid = new FloatArray(b * h), dRes = new FloatArray(b * p);
        FloatArray dGh = new FloatArray(b * h), dGrad = new FloatArray(b * l);
        boolean tiled = kernels == KernelVariant.TILED;
        TaskGraph g = new TaskGraph("decoderChecks")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, dAux, dW1, dB1, dW2, dY, dGram, dYw, params, state);
        if (!tiled) {
            g.task("gram", FistaKernels::gramGradient, dAux, dGram, dYw, dGramGrad, params, state, b, l);
        }
        g.task("w1t", FistaKernels::transpose, dW1, dW1t, h, l)
                .task("w2t", FistaKernels::transpose, dW2, dW2t, p, h);
        kernels.addNlStep(g, dAux, dW1t, dB1, dHid, dW2t, dY, dRes, params, dW2, dGh, dW1, dGrad, state, b, l, h, p);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, dGramGrad, dW2t, dHid, dRes, dGh, dGrad);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        }
        List<Check> out = new ArrayList<>();
        String tag = prefix(kernels);
        if (!tiled) {
            out.add(new Check("gramGradient B" + b + " l" + l, Check.maxRel(arr(dGramGrad), gramGrad.data, 1), 1e-5,
                    ""));
            out.add(new Check("transpose " + p + "x" + h, Check.maxRel(arr(dW2t), w2.transpose().data, 1), 0, ""));
        }
        out.add(new Check(tag + "hiddenForward B" + b + " l" + l + " H" + h, Check.maxRel(arr(dHid), hid.data, 1), 1e-5,
                ""));
        out.add(new Check(tag + "residual B" + b + " H" + h + " P" + p, Check.maxRel(arr(dRes), res.data, 1), 1e-5,
                ""));
        out.add(new Check(tag + "hiddenBackward B" + b + " P" + p + " H" + h, Check.maxRel(arr(dGh), gh.data, 1), 1e-5,
                ""));
        out.add(new Check(tag + "codeGradient B" + b + " H" + h + " l" + l, Check.maxRel(arr(dGrad), grad.data, 1),
                1e-5, ""));
        return out;
    }

    /**
     * The step kernels {@code step} names: column mean/std and hinge coefficients, the per-row step (masked prox +
     * momentum with a partly stopped mask, then the row's relative change, with a converged row and an x/0 row) and
     * the finishing task, at B × l (B ≥ 7; e.g. 257 × 9: more rows than {@link GroupKernels#LANES}, 37 × 300: more
     * columns), against ScalarOps and Fista's formulas. GROUPS checks are named "groups …".
     */
    public static List<Check> fistaStep(StepVariant step, int b, int l) throws TornadoExecutionPlanException {
        SplittableRandom rng = new SplittableRandom(13);
        Matrix aux = Matrix.uniform(b, l, -0.2f, 0.6f, rng), grad = Matrix.uniform(b, l, -1, 1, rng);
        Matrix e = Matrix.uniform(b, l, 0, 0.5f, rng), z = Matrix.uniform(b, l, 0, 0.5f, rng);
        float[] stopped = new float[b];
        for (int i = 0; i < b; i += 3) {
            stopped[i] = 1f;
        }
        // row 5: stopped with aux = z ≥ 0, so z' = max(0, aux) = z: converged; row 6 (stopped): z = 0
        stopped[5] = 1f;
        for (int j = 0; j < l; j++) {
            aux.set(5, j, z.get(5, j));
            z.set(6, j, 0f);
            aux.set(6, j, -1f);
        }
        for (int i = 0; i < b; i++) {
            aux.set(i, 2, 0.125f); // σ_2 = 0: zero subgradient (row 6 becomes x/0 = inf: not converged)
        }
        z.set(5, 2, 0.125f);
        float eta = 0.5f, lambda = 0.02f, beta = 10f, t = 0.5f, codeReg = 5f, tol = 1e-3f, coef = 0.3f;
        float codeCoef = (float) (2.0 * codeReg / l);
        // CPU
        float[] mean = new float[l], std = new float[l], hinge = new float[l];
        CPU.colMeans(aux, mean);
        CPU.colStd(aux, mean, std);
        for (int j = 0; j < l; j++) {
            float s = std[j];
            hinge[j] = s > 0f && s < t ? -2f * beta * (t - s) / ((b - 1) * s) : 0f;
        }
        Matrix g = grad.copy();
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < l; j++) {
                float v = aux.get(i, j);
                float add = hinge[j] * (v - mean[j]);
                add += codeCoef * (v - e.get(i, j));
                g.set(i, j, g.get(i, j) + add);
            }
        }
        Matrix zNew = new Matrix(b, l), auxNew = new Matrix(b, l);
        CPU.maskedProxStep(aux, g, stopped, eta, lambda, zNew);
        CPU.fistaMomentum(zNew, z, coef, auxNew);
        float[] distSq = new float[b], oldNorm = new float[b], stoppedNew = new float[b];
        int[] stepsNew = new int[b];
        CPU.rowSquaredDistances(z, zNew, distSq);
        CPU.rowNorms(z, oldNorm);
        for (int i = 0; i < b; i++) {
            boolean conv = Math.sqrt(distSq[i]) / oldNorm[i] < (double) tol;
            stoppedNew[i] = conv ? 1f : 0f;
            stepsNew[i] = 7 + (conv ? 0 : 1);
        }
        // device
        FloatArray dAux = fa(aux.data), dGrad = fa(grad.data), dE = fa(e.data), dZ = fa(z.data);
        FloatArray dStopped = fa(stopped), dMean = new FloatArray(l);
        FloatArray dStd = new FloatArray(l), dHinge = new FloatArray(l), momentum = FloatArray.fromElements(coef);
        IntArray steps = new IntArray(b);
        steps.init(7);
        IntArray state = new IntArray(FistaKernels.STATE);
        FloatArray params = new FloatArray(FistaKernels.PARAMS);
        params.set(FistaKernels.ETA, eta);
        params.set(FistaKernels.LAMBDA, lambda);
        params.set(FistaKernels.BETA, beta);
        params.set(FistaKernels.THRESHOLD, t);
        params.set(FistaKernels.CODE_COEF, codeCoef);
        params.set(FistaKernels.TOL, tol);
        params.set(FistaKernels.MAX_STEPS, 2);
        TaskGraph tg = new TaskGraph("stepChecks")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, dAux, dGrad, dE, dZ, dStopped, momentum, steps,
                        state, params);
        step.addTasks(tg, new KernelContext(), dAux, dGrad, dE, dZ, dMean, dStd, dHinge, dStopped, steps, momentum,
                        params, state, b, l)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dMean, dStd, dHinge, dZ, dAux, dStopped, steps,
                        state);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(tg.snapshot())) {
            GridScheduler gs = new GridScheduler();
            step.addGrids(gs, "stepChecks", b, l);
            if (step == StepVariant.GROUPS) {
                plan.withGridScheduler(gs);
            }
            plan.execute();
        }
        String tag = (step == StepVariant.GROUPS ? "groups " : "");
        String shape = " B" + b + " l" + l;
        List<Check> out = new ArrayList<>();
        out.add(new Check(tag + "column means" + shape, Check.maxRel(arr(dMean), mean, 1e-3), 1e-6, ""));
        out.add(new Check(tag + "column std" + shape + " (σ_2 = 0)", Check.maxRel(arr(dStd), std, 1e-3), 1e-6, ""));
        out.add(new Check(tag + "hinge coefficients" + shape, Check.maxRel(arr(dHinge), hinge, 1e-3), 1e-5, ""));
        out.add(new Check(tag + "prox step (masked rows) z" + shape, Check.maxRel(arr(dZ), zNew.data, 1), 1e-6, ""));
        out.add(new Check(tag + "momentum aux" + shape, Check.maxRel(arr(dAux), auxNew.data, 1), 1e-6, ""));
        double maskDiff = 0, stepDiff = 0;
        for (int i = 0; i < b; i++) {
            maskDiff += Math.abs(dStopped.get(i) - stoppedNew[i]);
            stepDiff += Math.abs(steps.get(i) - stepsNew[i]);
        }
        out.add(new Check(tag + "row change: stop mask (rows differing)" + shape, maskDiff, 0,
                "converged rows " + count(stoppedNew) + " of " + b + ", row 5 " + stoppedNew[5] + ", row 6 (x/0) "
                        + stoppedNew[6]));
        out.add(new Check(tag + "row change: step counts (rows differing)" + shape, stepDiff, 0, ""));
        boolean all = count(stoppedNew) == b;
        double stateDiff = Math.abs(state.get(FistaKernels.ITERATIONS) - 1) + Math.abs(state.get(FistaKernels.DONE) - (all ? 1 : 0));
        out.add(new Check(tag + "finish: iteration counter and done flag" + shape, stateDiff, 0, ""));
        return out;
    }

    private static int count(float[] s) {
        int n = 0;
        for (float v : s) {
            n += v == 1f ? 1 : 0;
        }
        return n;
    }

    static FloatArray fa(float[] v) {
        return FloatArray.fromArray(v);
    }

    static float[] arr(FloatArray a) {
        return a.toHeapArray();
    }
}
