package org.varsparse.tornado.check;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.tornado.FistaKernels;
import org.varsparse.tornado.GemmKernels;
import org.varsparse.tornado.GroupKernels;
import org.varsparse.tornado.HostArrays;
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
 * in every {@link KernelVariant} (the tiled and local ones' checks are named "tiled …", "local …"; the local ones
 * are also compared with the plain ones on the device, "local = plain …"). Used by the JUnit tests (PoCL here)
 * and by {@link GpuCheck} (the GPU), so both run exactly the same comparisons.
 */
public final class KernelChecks {
    private static final TensorOps CPU = new ScalarOps();
    /** GEMM shapes (m, n, k): ragged 4 × 4 tile edges (7, 33, 9, 5, 17), m or n below 4 (all edge tiles), k = 1. */
    private static final int[][] GEMM_SHAPES = {{7, 33, 17}, {1, 9, 100}, {33, 5, 3}, {100, 17, 1}};
    /** Decoder-gradient sizes (B, l, H, P). */
    private static final int[][] DECODER_SIZES = {{5, 3, 7, 11}, {33, 17, 100, 7}};
    /**
     * What the local kernels add to both: more than one 64 × 64 output block and more than one k tile of 16 in every
     * dimension, with ragged edges (70 = 64 + 6, 130 = 2·64 + 2, 40 = 2·16 + 8; NL: every GEMM's m, n > 64, k > 16).
     */
    private static final int[][] LOCAL_GEMM_SHAPES = {{70, 130, 40}};
    private static final int[][] LOCAL_DECODER_SIZES = {{70, 65, 130, 100}};
    /** Local vs plain on the device (GpuCheck): the shapes above plus all-edge and exactly-one-tile ones. */
    private static final int[][] LOCAL_VS_PLAIN_SHAPES = {{7, 33, 17}, {1, 9, 100}, {64, 64, 16}, {70, 130, 40}};

    private KernelChecks() {
    }

    /**
     * Every check of the backend's kernel variant: the GEMMs through it, the decoder gradients, (plain: the step
     * kernels have one form) the FISTA step, the NL kernels' done-flag no-op, and (local) local vs plain on the
     * device.
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
        out.add(nlKernelsAreNoOpsOnceDone(device.kernels()));
        if (device.kernels() == KernelVariant.LOCAL) {
            out.addAll(localGemmsVsPlain(LOCAL_VS_PLAIN_SHAPES, false));
            for (int[] s : DECODER_SIZES) {
                out.addAll(localDecoderVsPlain(s[0], s[1], s[2], s[3], false));
            }
            for (int[] s : LOCAL_DECODER_SIZES) {
                out.addAll(localDecoderVsPlain(s[0], s[1], s[2], s[3], false));
            }
        }
        return out;
    }

    /** Check names: "" (plain), "tiled ", "local ". */
    private static String prefix(KernelVariant kernels) {
        return kernels == KernelVariant.PLAIN ? "" : kernels.label() + " ";
    }

    private static int[][] gemmShapes(KernelVariant kernels) {
        return kernels == KernelVariant.LOCAL ? concat(GEMM_SHAPES, LOCAL_GEMM_SHAPES) : GEMM_SHAPES;
    }

    private static int[][] concat(int[][] a, int[][] b) {
        int[][] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /**
     * The three GEMM forms through the backend's facade (so with its kernels), alpha = −1.5, beta = 0.5 and beta = 0,
     * on {@link #GEMM_SHAPES} (local kernels: and {@link #LOCAL_GEMM_SHAPES}).
     */
    public static List<Check> gemms(TornadoOps device) {
        List<Check> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(11);
        String tag = prefix(device.kernels());
        for (int[] s : gemmShapes(device.kernels())) {
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

    /**
     * {@link #decoderGradients(KernelVariant, int, int, int, int)} at each of {@link #DECODER_SIZES} (local kernels:
     * and {@link #LOCAL_DECODER_SIZES}).
     */
    public static List<Check> decoderGradients(KernelVariant kernels) throws TornadoExecutionPlanException {
        List<Check> out = new ArrayList<>();
        int[][] sizes = kernels == KernelVariant.LOCAL ? concat(DECODER_SIZES, LOCAL_DECODER_SIZES) : DECODER_SIZES;
        for (int[] s : sizes) {
            out.addAll(decoderGradients(kernels, s[0], s[1], s[2], s[3]));
        }
        return out;
    }

    /**
     * Gram-form gradient (plain only: it has no tiled or local form), and the one-hidden-layer chain (weight
     * transposes, hidden forward, residual, hidden backward, code gradient; the plain, tiled or local kernels) at B,
     * l, H, P, against the same sequence of ScalarOps calls Fista makes.
     */
    public static List<Check> decoderGradients(KernelVariant kernels, int b, int l, int h, int p)
            throws TornadoExecutionPlanException {
        DecoderInputs in = new DecoderInputs(b, l, h, p);
        float scale = 2f / p;
        // CPU, as Fista.reconstructionGradient
        Matrix gramGrad = in.yw.copy();
        CPU.gemm(scale, in.aux, in.gram, -scale, gramGrad);
        Matrix hid = new Matrix(b, h), res = new Matrix(b, p), gh = new Matrix(b, h), grad = new Matrix(b, l);
        CPU.gemmNT(1f, in.aux, in.w1, 0f, hid);
        CPU.addRowVector(hid, in.b1);
        CPU.relu(hid, hid);
        CPU.gemmNT(1f, hid, in.w2, 0f, res);
        for (int i = 0; i < res.data.length; i++) {
            res.data[i] = scale * (res.data[i] - in.y.data[i]);
        }
        CPU.gemm(1f, res, in.w2, 0f, gh);
        CPU.reluBackward(hid, gh);
        CPU.gemm(1f, gh, in.w1, 0f, grad);
        float[][] d = in.onDevice(kernels);
        List<Check> out = new ArrayList<>();
        String tag = prefix(kernels);
        if (kernels == KernelVariant.PLAIN) {
            out.add(new Check("gramGradient B" + b + " l" + l, Check.maxRel(d[GRAM_GRAD], gramGrad.data, 1), 1e-5,
                    ""));
            out.add(new Check("transpose " + p + "x" + h, Check.maxRel(d[W2T], in.w2.transpose().data, 1), 0, ""));
        }
        out.add(new Check(tag + "hiddenForward B" + b + " l" + l + " H" + h, Check.maxRel(d[HID], hid.data, 1), 1e-5,
                ""));
        out.add(new Check(tag + "residual B" + b + " H" + h + " P" + p, Check.maxRel(d[RES], res.data, 1), 1e-5,
                ""));
        out.add(new Check(tag + "hiddenBackward B" + b + " P" + p + " H" + h, Check.maxRel(d[GH], gh.data, 1), 1e-5,
                ""));
        out.add(new Check(tag + "codeGradient B" + b + " H" + h + " l" + l, Check.maxRel(d[GRAD], grad.data, 1),
                1e-5, ""));
        return out;
    }

    // what DecoderInputs.onDevice returns, by index
    private static final int HID = 0, RES = 1, GH = 2, GRAD = 3, GRAM_GRAD = 4, W2T = 5;

    /** Seeded inputs of the decoder-gradient checks at B, l, H, P. */
    private static final class DecoderInputs {
        final int b, l, h, p;
        final Matrix aux, w1, w2, y, gram, yw;
        final float[] b1;

        DecoderInputs(int b, int l, int h, int p) {
            this.b = b;
            this.l = l;
            this.h = h;
            this.p = p;
            SplittableRandom rng = new SplittableRandom(12);
            aux = Matrix.uniform(b, l, -1, 1, rng);
            w1 = Matrix.uniform(h, l, -1, 1, rng);
            b1 = Matrix.uniform(1, h, -0.5f, 0.5f, rng).data;
            w2 = Matrix.uniform(p, h, -1, 1, rng);
            y = Matrix.uniform(b, p, -1, 1, rng);
            gram = Matrix.uniform(l, l, -1, 1, rng);
            yw = Matrix.uniform(b, l, -1, 1, rng);
        }

        /**
         * Runs the NL chain of {@code kernels} (and, plain only, the Gram-form gradient) on the device: hid (B×H),
         * res (B×P), hidGrad (B×H), grad (B×l), gramGrad (B×l), W2ᵀ (H×P), indexed by HID … W2T.
         */
        float[][] onDevice(KernelVariant kernels) throws TornadoExecutionPlanException {
            FloatArray dAux = fa(aux.data), dW1 = fa(w1.data), dB1 = fa(b1), dW2 = fa(w2.data), dY = fa(y.data);
            FloatArray dW1t = floats(l * h), dW2t = floats(h * p); // transposed on the device
            FloatArray dGram = fa(gram.data), dYw = fa(yw.data), params = floats(FistaKernels.PARAMS);
            params.set(FistaKernels.SCALE, 2f / p);
            IntArray state = ints(FistaKernels.STATE); // 0: running
            FloatArray dGramGrad = floats(b * l), dHid = floats(b * h), dRes = floats(b * p);
            FloatArray dGh = floats(b * h), dGrad = floats(b * l);
            boolean plain = kernels == KernelVariant.PLAIN;
            TaskGraph g = new TaskGraph("decoderChecks").transferToDevice(DataTransferMode.EVERY_EXECUTION, dAux, dW1,
                    dB1, dW2, dY, dGram, dYw, params, state);
            if (plain) {
                g.task("gram", FistaKernels::gramGradient, dAux, dGram, dYw, dGramGrad, params, state, b, l);
            }
            g.task("w1t", FistaKernels::transpose, dW1, dW1t, h, l)
                    .task("w2t", FistaKernels::transpose, dW2, dW2t, p, h);
            kernels.addNlStep(g, dAux, dW1t, dB1, dHid, dW2t, dY, dRes, params, dW2, dGh, dW1, dGrad, state, b, l, h,
                    p);
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, dGramGrad, dW2t, dHid, dRes, dGh, dGrad);
            try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
                if (kernels == KernelVariant.LOCAL) {
                    plan.withGridScheduler(KernelVariant.addLocalGrid(new GridScheduler(), "decoderChecks", b, l, h,
                            p));
                }
                plan.execute();
            }
            return new float[][] {arr(dHid), arr(dRes), arr(dGh), arr(dGrad), arr(dGramGrad), arr(dW2t)};
        }
    }

    // ---------------------------------------------------------------- local vs plain (KernelVariant.LOCAL)

    /**
     * The local-memory GEMM kernel against the plain ones on the device, per (m, n, k) of {@code shapes}: one graph
     * runs matmulNN, matmulNT, matmulTN and {@link GemmKernels#matmulLocal} in the same three layouts on the same
     * inputs (alpha = −1.5, beta = 0.5). Checks per layout: local vs the scalar oracle ("local gemm … vs oracle")
     * and local vs plain ("local = plain gemm …"). {@code exact}: the second counts the elements whose float bits
     * differ, tolerance 0 (PoCL, where one OpenCL compiler treats both alike); else max relative difference, 1e-5
     * as against the oracle (a GPU compiler may contract a·b + c into an FMA differently in the two kernels).
     */
    public static List<Check> localGemmsVsPlain(int[][] shapes, boolean exact) throws TornadoExecutionPlanException {
        List<Check> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(14);
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            Matrix a = Matrix.uniform(m, k, -1, 1, rng), b = Matrix.uniform(k, n, -1, 1, rng);
            Matrix at = a.transpose(), bt = b.transpose(), c0 = Matrix.uniform(m, n, -1, 1, rng);
            FloatArray dA = fa(a.data), dB = fa(b.data), dAt = fa(at.data), dBt = fa(bt.data);
            FloatArray ab = floats(-1.5f, 0.5f);
            FloatArray[] c = new FloatArray[6]; // plain NN, NT, TN, local NN, NT, TN
            for (int i = 0; i < c.length; i++) {
                c[i] = fa(c0.data);
            }
            KernelContext ctx = new KernelContext();
            String graph = "localGemm";
            TaskGraph g = new TaskGraph(graph)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dA, dB, dAt, dBt, ab, c[0], c[1], c[2], c[3],
                            c[4], c[5])
                    .task("nn", GemmKernels::matmulNN, dA, dB, c[0], ab, m, n, k)
                    .task("nt", GemmKernels::matmulNT, dA, dBt, c[1], ab, m, n, k)
                    .task("tn", GemmKernels::matmulTN, dAt, dB, c[2], ab, m, n, k)
                    .task("lnn", GemmKernels::matmulLocal, ctx, dA, dB, c[3], ab, m, n, k, k, 1, n, 1)
                    .task("lnt", GemmKernels::matmulLocal, ctx, dA, dBt, c[4], ab, m, n, k, k, 1, 1, k)
                    .task("ltn", GemmKernels::matmulLocal, ctx, dAt, dB, c[5], ab, m, n, k, 1, m, n, 1)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, (Object[]) c);
            GridScheduler gs = new GridScheduler();
            for (String t : new String[] {"lnn", "lnt", "ltn"}) {
                gs.addWorkerGrid(graph + "." + t, KernelVariant.localGrid(m, n));
            }
            try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
                plan.withGridScheduler(gs).execute();
            }
            Matrix[] want = {c0.copy(), c0.copy(), c0.copy()};
            CPU.gemm(-1.5f, a, b, 0.5f, want[0]);
            CPU.gemmNT(-1.5f, a, bt, 0.5f, want[1]);
            CPU.gemmTN(-1.5f, at, b, 0.5f, want[2]);
            String[] forms = {"A·B", "A·Bᵀ", "Aᵀ·B"};
            for (int f = 0; f < 3; f++) {
                String at3 = forms[f] + " " + m + "x" + n + "x" + k;
                float[] local = arr(c[3 + f]), plain = arr(c[f]);
                out.add(new Check("local gemm " + at3 + " vs oracle", Check.maxRel(local, want[f].data, 1), 1e-5, ""));
                out.add(versusPlain("local = plain gemm " + at3, local, plain, exact));
            }
        }
        return out;
    }

    /**
     * The four local NL step kernels against the plain ones on the device (each chain on its own device results, as
     * in {@link #decoderGradients}), at B, l, H, P; {@code exact} as in {@link #localGemmsVsPlain}.
     */
    public static List<Check> localDecoderVsPlain(int b, int l, int h, int p, boolean exact)
            throws TornadoExecutionPlanException {
        DecoderInputs in = new DecoderInputs(b, l, h, p);
        float[][] plain = in.onDevice(KernelVariant.PLAIN), local = in.onDevice(KernelVariant.LOCAL);
        String[] names = {"hiddenForward B" + b + " l" + l + " H" + h, "residual B" + b + " H" + h + " P" + p,
                "hiddenBackward B" + b + " P" + p + " H" + h, "codeGradient B" + b + " H" + h + " l" + l};
        List<Check> out = new ArrayList<>();
        for (int i = HID; i <= GRAD; i++) {
            out.add(versusPlain("local = plain " + names[i], local[i], plain[i], exact));
        }
        return out;
    }

    private static Check versusPlain(String name, float[] local, float[] plain, boolean exact) {
        int differ = 0;
        for (int i = 0; i < local.length; i++) {
            differ += Float.floatToRawIntBits(local[i]) == Float.floatToRawIntBits(plain[i]) ? 0 : 1;
        }
        String detail = differ == 0 ? "bit-identical" : differ + " of " + local.length + " floats differ";
        return exact ? new Check(name + " (floats differing)", differ, 0, detail)
                : new Check(name, Check.maxRel(local, plain, 1), 1e-5, detail);
    }

    /**
     * The four NL step kernels of {@code kernels} are no-ops once state[DONE] is set: one plan runs them twice at
     * B 70, l 65, H 130, P 100 (several work-groups, ragged edges), first running, then with DONE = 1 and other
     * inputs (aux and y negated); the outputs, which stay on the device between the runs, must come back bit for bit
     * as after the first. Value: output floats that changed.
     * (Uploading NaN-filled outputs and expecting them back does not work as a check: on PoCL the hidGrad buffer came
     * back as uninitialised memory after a launch that wrote nothing, with every variant, although it was listed in
     * transferToDevice.)
     */
    public static Check nlKernelsAreNoOpsOnceDone(KernelVariant kernels) throws TornadoExecutionPlanException {
        int b = 70, l = 65, h = 130, p = 100;
        DecoderInputs in = new DecoderInputs(b, l, h, p);
        FloatArray dAux = fa(in.aux.data), dW1 = fa(in.w1.data), dB1 = fa(in.b1), dW2 = fa(in.w2.data);
        FloatArray dW1t = fa(in.w1.transpose().data), dW2t = fa(in.w2.transpose().data), dY = fa(in.y.data);
        FloatArray params = floats(FistaKernels.PARAMS);
        params.set(FistaKernels.SCALE, 2f / p);
        IntArray state = ints(FistaKernels.STATE); // running
        FloatArray[] outs = {floats(b * h), floats(b * p), floats(b * h),
            floats(b * l)}; // hid, res, hidGrad, grad
        TaskGraph g = new TaskGraph("doneChecks").transferToDevice(DataTransferMode.EVERY_EXECUTION, dAux, dW1, dB1,
                dW2, dW1t, dW2t, dY, params, state);
        kernels.addNlStep(g, dAux, dW1t, dB1, outs[0], dW2t, dY, outs[1], params, dW2, outs[2], dW1, outs[3], state, b,
                l, h, p);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, (Object[]) outs);
        float[][] first = new float[outs.length][];
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            if (kernels == KernelVariant.LOCAL) {
                plan.withGridScheduler(KernelVariant.addLocalGrid(new GridScheduler(), "doneChecks", b, l, h, p));
            }
            plan.execute();
            for (int i = 0; i < outs.length; i++) {
                first[i] = arr(outs[i]);
            }
            state.set(FistaKernels.DONE, 1);
            for (FloatArray v : new FloatArray[] {dAux, dY}) {
                for (int i = 0; i < v.getSize(); i++) {
                    v.set(i, -v.get(i));
                }
            }
            plan.execute();
        }
        StringBuilder written = new StringBuilder();
        int changed = 0;
        for (int o = 0; o < outs.length; o++) {
            int c = 0;
            for (int i = 0; i < outs[o].getSize(); i++) {
                c += Float.floatToRawIntBits(outs[o].get(i)) == Float.floatToRawIntBits(first[o][i]) ? 0 : 1;
            }
            written.append(o == 0 ? "" : ", ").append(c);
            changed += c;
        }
        return new Check(prefix(kernels) + "NL kernels are no-ops once done", changed, 0,
                "floats changed (hid, res, hidGrad, grad): " + written);
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
        FloatArray dStopped = fa(stopped), dMean = floats(l);
        FloatArray dStd = floats(l), dHinge = floats(l), momentum = floats(coef);
        IntArray steps = ints(b);
        steps.init(7);
        IntArray state = ints(FistaKernels.STATE);
        FloatArray params = floats(FistaKernels.PARAMS);
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

    // Every array handed to a device goes through these (HostArrays: kept reachable on PTX, where TornadoVM pins it).

    static FloatArray fa(float[] v) {
        return kept(FloatArray.fromArray(v));
    }

    static FloatArray floats(int n) {
        return kept(new FloatArray(n));
    }

    static FloatArray floats(float... v) {
        return kept(FloatArray.fromElements(v));
    }

    static IntArray ints(int n) {
        return kept(new IntArray(n));
    }

    private static <T> T kept(T array) {
        HostArrays.keep(array);
        return array;
    }

    static float[] arr(FloatArray a) {
        return a.toHeapArray();
    }
}
