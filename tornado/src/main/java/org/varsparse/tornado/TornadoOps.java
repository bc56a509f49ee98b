package org.varsparse.tornado;

import java.util.HashMap;
import java.util.Map;
import org.varsparse.backend.Backends;
import org.varsparse.inference.CodeSolver;
import org.varsparse.inference.FistaConfig;
import org.varsparse.model.Decoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The TornadoVM backend ({@code -Dvarsparse.backend=tornado}, or auto when the default device is not a CPU): GEMMs on
 * the device, everything else on the CPU backend ({@link Backends#createCpu}: simd or scalar), and FISTA as a whole-solve device graph ({@link TornadoFista})
 * through {@link CodeSolver.Factory}.
 *
 * <p>Transfer cost, honestly: each GEMM call copies A, B and C to the device and C back (one plan per shape,
 * built and compiled once, reused). In training that is the decoder forward and backward and the encoder's
 * GEMMs, a few MB per batch; the FISTA solve (200 iterations of GEMMs) is where the device pays off, and there
 * only Y, E and the weights go up once per batch. Not thread-safe beyond the synchronized GEMM entry points.
 *
 * <p>The device GEMMs and the FISTA solvers it hands out use the kernels {@link KernelVariant} names
 * ({@code -Dvarsparse.tornado.kernels=plain|tiled|local}; default plain), the solvers the step kernels
 * {@link StepVariant} names ({@code -Dvarsparse.tornado.step=loops|groups}; default loops), both read when the backend
 * is created, so a misspelt value fails there.
 */
public final class TornadoOps extends TensorOps implements CodeSolver.Factory {
    private final TensorOps cpu;
    private final TornadoDevice device;
    private final KernelVariant kernels;
    private final StepVariant stepKernels;
    private final Map<String, GemmPlan> plans = new HashMap<>();

    private TornadoOps(TensorOps cpu, TornadoDevice device, KernelVariant kernels, StepVariant stepKernels) {
        this.cpu = cpu;
        this.device = device;
        this.kernels = kernels;
        this.stepKernels = stepKernels;
    }

    /**
     * Called by {@link Backends} (by name), with the kernels {@code -Dvarsparse.tornado.kernels} names: fails with
     * the reason when no TornadoVM device is found.
     */
    public static TornadoOps create() {
        return create(KernelVariant.fromProperty());
    }

    /** The backend with the given GEMM kernels (the GPU check runs each). */
    public static TornadoOps create(KernelVariant kernels) {
        StepVariant step = StepVariant.fromProperty();
        TornadoFista.checkSettings();
        TornadoDevice d = defaultDevice();
        return new TornadoOps(Backends.createCpu(), d, kernels, step);
    }

    /**
     * What {@link Backends}' auto takes: the backend as {@link #create()} makes it, or null when TornadoVM's
     * default device is a CPU (CPU OpenCL such as PoCL, where the simd backend is faster).
     */
    public static TornadoOps createUnlessCpu() {
        KernelVariant kernels = KernelVariant.fromProperty(); // a bad setting fails even when the device is a CPU
        StepVariant.fromProperty();
        TornadoFista.checkSettings();
        return defaultDevice().getDeviceType() == TornadoDeviceType.CPU ? null : create(kernels);
    }

    private static TornadoDevice defaultDevice() {
        TornadoRuntime rt = TornadoRuntimeProvider.getTornadoRuntime();
        if (rt.getNumBackends() == 0) {
            throw new IllegalStateException("TornadoVM found no backend (check TORNADO_BACKENDS and the drivers)");
        }
        TornadoDevice d = rt.getDefaultDevice();
        if (d == null) {
            throw new IllegalStateException("TornadoVM found no device");
        }
        return d;
    }

    /** Every TornadoVM backend and device, one per line (what {@code ./run.sh info} prints). */
    public static String devices() {
        TornadoRuntime rt = TornadoRuntimeProvider.getTornadoRuntime();
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < rt.getNumBackends(); b++) {
            TornadoBackend be = rt.getBackend(b);
            for (int i = 0; i < be.getNumDevices(); i++) {
                TornadoDevice d = be.getDevice(i);
                if (sb.length() > 0) {
                    sb.append("\n                ");
                }
                sb.append(b).append(':').append(i).append(' ').append(be.getBackendType()).append(' ')
                        .append(d.getPlatformName()).append(" / ").append(d.getDeviceName())
                        .append(" (").append(d.getMaxGlobalMemory() >> 20).append(" MiB)");
            }
        }
        return sb.length() == 0 ? "no TornadoVM device" : sb.toString();
    }

    public String deviceName() {
        return device.getPlatformName() + " / " + device.getDeviceName();
    }

    /** Which GEMM kernels the device plans run. */
    public KernelVariant kernels() {
        return kernels;
    }

    /** The CPU backend the non-GEMM operations run on. */
    public TensorOps cpu() {
        return cpu;
    }

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public int threads() {
        return cpu.threads();
    }

    @Override
    public CodeSolver codeSolver(Decoder decoder, int batchSize, FistaConfig config) {
        return new TornadoFista(decoder, batchSize, config, TornadoFista.DEFAULT_CHECK_EVERY, kernels, stepKernels);
    }

    // ---------------------------------------------------------------- GEMM on the device

    private enum Kind { NN, NT, TN }

    /** One shape's plan: A, B, C and (alpha, beta) go up each call, C comes back. */
    private static final class GemmPlan {
        final FloatArray a, b, c, ab;
        final TornadoExecutionPlan plan;

        GemmPlan(Kind kind, KernelVariant kernels, int m, int n, int k) {
            a = new FloatArray(m * k);
            b = new FloatArray(kind == Kind.NN ? k * n : n * k);
            c = new FloatArray(m * n);
            ab = new FloatArray(2);
            HostArrays.keep(a, b, c, ab);
            String name = "gemm" + kind + "_" + m + "x" + n + "x" + k;
            TaskGraph g = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, a, b, c, ab);
            if (kernels == KernelVariant.LOCAL) { // the same strides as the tiled kernel's (below)
                KernelContext ctx = new KernelContext();
                switch (kind) {
                    case NN -> g.task("t", GemmKernels::matmulLocal, ctx, a, b, c, ab, m, n, k, k, 1, n, 1);
                    case NT -> g.task("t", GemmKernels::matmulLocal, ctx, a, b, c, ab, m, n, k, k, 1, 1, k);
                    case TN -> g.task("t", GemmKernels::matmulLocal, ctx, a, b, c, ab, m, n, k, 1, m, n, 1);
                }
            } else if (kernels == KernelVariant.TILED) { // strides (aRow, aCol, bRow, bCol) of A and B as laid out
                switch (kind) {
                    case NN -> g.task("t", GemmKernels::matmulTiled, a, b, c, ab, m, n, k, k, 1, n, 1);
                    case NT -> g.task("t", GemmKernels::matmulTiled, a, b, c, ab, m, n, k, k, 1, 1, k);
                    case TN -> g.task("t", GemmKernels::matmulTiled, a, b, c, ab, m, n, k, 1, m, n, 1);
                }
            } else {
                switch (kind) {
                    case NN -> g.task("t", GemmKernels::matmulNN, a, b, c, ab, m, n, k);
                    case NT -> g.task("t", GemmKernels::matmulNT, a, b, c, ab, m, n, k);
                    case TN -> g.task("t", GemmKernels::matmulTN, a, b, c, ab, m, n, k);
                }
            }
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, c);
            plan = new TornadoExecutionPlan(g.snapshot());
            if (kernels == KernelVariant.LOCAL) { // a KernelContext kernel runs only with its grid
                plan.withGridScheduler(new GridScheduler(name + ".t", KernelVariant.localGrid(m, n)));
            }
        }
    }

    private synchronized void deviceGemm(Kind kind, float alpha, Matrix a, Matrix b, float beta, Matrix c, int k) {
        if (c.rows == 0 || c.cols == 0 || k == 0) {
            switch (kind) { // nothing for the device: C = beta·C (or 0)
                case NN -> cpu.gemm(alpha, a, b, beta, c);
                case NT -> cpu.gemmNT(alpha, a, b, beta, c);
                case TN -> cpu.gemmTN(alpha, a, b, beta, c);
            }
            return;
        }
        GemmPlan p = plans.computeIfAbsent(kind + ":" + c.rows + "x" + c.cols + "x" + k,
                key -> new GemmPlan(kind, kernels, c.rows, c.cols, k));
        HostCopy.toDevice(a.data, p.a);
        HostCopy.toDevice(b.data, p.b);
        HostCopy.toDevice(c.data, p.c);
        p.ab.set(0, alpha);
        p.ab.set(1, beta);
        p.plan.execute();
        HostCopy.toHost(p.c, c.data);
    }

    @Override
    protected void gemmNN(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        deviceGemm(Kind.NN, alpha, a, b, beta, c, a.cols);
    }

    @Override
    protected void gemmNTKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        deviceGemm(Kind.NT, alpha, a, b, beta, c, a.cols);
    }

    @Override
    protected void gemmTNKernel(float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        deviceGemm(Kind.TN, alpha, a, b, beta, c, a.rows);
    }

    // ---------------------------------------------------------------- the rest on the CPU

    @Override
    protected void rowSumsKernel(Matrix a, float[] out) {
        cpu.rowSums(a, out);
    }

    @Override
    protected void colSumsKernel(Matrix a, float[] out) {
        cpu.colSums(a, out);
    }

    @Override
    protected void colStdKernel(Matrix a, float[] mean, float[] out) {
        cpu.colStd(a, mean, out);
    }

    @Override
    protected void rowNormsKernel(Matrix a, float[] out) {
        cpu.rowNorms(a, out);
    }

    @Override
    protected void rowSquaredDistancesKernel(Matrix a, Matrix b, float[] out) {
        cpu.rowSquaredDistances(a, b, out);
    }

    @Override
    protected void softThresholdNonNegKernel(Matrix x, float t, Matrix out) {
        cpu.softThresholdNonNeg(x, t, out);
    }

    @Override
    protected void axpbyKernel(float alpha, Matrix x, float beta, Matrix y) {
        cpu.axpby(alpha, x, beta, y);
    }

    @Override
    protected void fistaMomentumKernel(Matrix z, Matrix zOld, float coef, Matrix aux) {
        cpu.fistaMomentum(z, zOld, coef, aux);
    }

    @Override
    protected void reluKernel(Matrix x, Matrix out) {
        cpu.relu(x, out);
    }

    @Override
    protected void reluBackwardKernel(Matrix pre, Matrix grad) {
        cpu.reluBackward(pre, grad);
    }

    @Override
    protected void maskedProxStepKernel(Matrix aux, Matrix grad, float[] stopped, float eta, float lambda, Matrix z) {
        cpu.maskedProxStep(aux, grad, stopped, eta, lambda, z);
    }

    @Override
    protected void addRowVectorKernel(Matrix x, float[] v) {
        cpu.addRowVector(x, v);
    }
}
