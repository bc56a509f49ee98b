package org.varsparse.tornado;

import org.varsparse.inference.CodeSolver;
import org.varsparse.inference.FistaConfig;
import org.varsparse.inference.FistaResult;
import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * FISTA (METHOD.md §1.4) with the whole solve on the TornadoVM device; same method and semantics as
 * {@link org.varsparse.inference.Fista} (reference behaviour, {@code freezeConverged = false}).
 *
 * <p>One execution plan of two task graphs, built once per instance (decoder shape, batch size, K capacity) and
 * reused for every batch, so the kernels compile once:
 * <ul>
 *   <li>{@code batch}: uploads Y, E, the decoder weights and the scalars (per batch), forms WᵀW and Y·W
 *       (linear, Gram form) or W1ᵀ and W2ᵀ (NL, for coalesced reads) on the device, and initialises Z = A = E, the stop mask, the step counts and the
 *       device-side state (done flag, iteration counter). Everything stays on the device.</li>
 *   <li>{@code step}: one FISTA iteration in few tasks (each task is a launch): the gradient (one Gram-form task,
 *       or four NL GEMM tasks), the hinge column statistics (one task), the masked prox, momentum and per-row stop
 *       test (one task), and a one-thread task that counts the iteration and raises the done flag. Nothing is
 *       transferred.</li>
 * </ul>
 * The host launches {@code step} and reads back the 2-int state after 1, 2, 4, … launches, then every
 * {@code checkEvery} ({@link #nextCheck}); once done is set,
 * further launches are no-ops, so the result equals a loop that breaks at the first iteration where every row
 * converged. At the end Z (B×l) and the per-row step counts come back. Per solve the host→device traffic is
 * Y, E and the weights (NL MNIST: B·P + B·l + H·l + H + P·H floats); device→host is 8 bytes per check plus Z.
 *
 * <p>The GEMMs (the linear batch graph's WᵀW and Y·W, the four NL step kernels) are the one-output, the
 * register-tiled or the local-memory tiled kernels as {@link KernelVariant} says ({@code -Dvarsparse.tornado.kernels},
 * default plain); the codes are the same either way.
 */
public final class TornadoFista implements CodeSolver, AutoCloseable {
    /** Iterations launched between two reads of the device's done flag. */
    public static final int DEFAULT_CHECK_EVERY = 8;

    /**
     * Work-group shape (dimension 0 = the outer {@code @Parallel} loop, rows; dimension 1 = the inner one) of the
     * four NL step kernels (hidden, residual, hiddenGrad, grad). Workaround: with TornadoVM's default local size
     * these kernels failed on NVIDIA OpenCL (H200) with CL_OUT_OF_RESOURCES on clEnqueueNDRangeKernel in every NL
     * cell (too many registers per work-group for the default block); 8 × 16 = 128 work-items should fit (not yet
     * run on NVIDIA). Global sizes: see {@link #grid}; results are unchanged (PoCL: equal to the CPU solve).
     * On PoCL 3.1 (LLVM 15) the shapes 16 × 8 and 1 × 128 each crashed the JVM once in one try (SIGSEGV in
     * LLVM's StringMapImpl::LookupBucketFor while compiling the NL kernels); 8 × 16 ran. Not investigated further.
     * Only on OpenCL: on PTX (H200) the default launch was correct, while this 8 × 16 grid made the NL golden
     * case stop after 9 of 200 iterations (codes off by 0.09), so PTX keeps TornadoVM's default launch. Likely cause
     * (TornadoVM's source, not yet confirmed on a GPU): with a grid, a {@code @Parallel} loop bound that is a bare
     * int parameter is read at run time from a per-plan "kernel context" buffer, which PTX uploads asynchronously
     * from one pinned host buffer that the next task overwrites, so a kernel may see another task's bounds; OpenCL
     * uploads it blocking. The tiled kernels (bounds are expressions, compiled as constants) and the KernelContext
     * kernels do not read that buffer. run-gpu-check.sh's grid check tests this.
     * Override: -Dvarsparse.tornado.nlLocal=D0,D1 (any backend); {@code off} keeps TornadoVM's default launch. Plain
     * and tiled kernels only: the local kernels ({@link KernelVariant#LOCAL}) always launch 16 × 16 work-groups.
     */
    public static final int NL_LOCAL_0, NL_LOCAL_1;
    private static final boolean NL_LOCAL_FORCED;
    /** Why -Dvarsparse.tornado.nlLocal is unusable, or null ({@link #checkSettings} reports it). */
    private static final String NL_LOCAL_ERROR;

    static {
        String v = System.getProperty("varsparse.tornado.nlLocal", "8,16").trim();
        NL_LOCAL_FORCED = System.getProperty("varsparse.tornado.nlLocal") != null;
        int d0 = 0, d1 = 0;
        String error = null;
        if (!v.equals("off")) {
            String[] f = v.split(",");
            try {
                d0 = Integer.parseInt(f[0].trim());
                d1 = f.length == 2 ? Integer.parseInt(f[1].trim()) : 0;
            } catch (NumberFormatException ex) {
                d0 = 0;
            }
            if (f.length != 2 || d0 < 1 || d1 < 1) {
                error = "-Dvarsparse.tornado.nlLocal=" + v + ": use two positive work-group sizes D0,D1 (e.g. 8,16) or off";
                d0 = 0;
                d1 = 0;
            }
        }
        NL_LOCAL_0 = d0;
        NL_LOCAL_1 = d1;
        NL_LOCAL_ERROR = error;
    }

    /**
     * FISTA iterations per launch of the step graph ({@code -Dvarsparse.tornado.unroll}, 1..16, default 1): the
     * graph holds that many copies of the iteration's tasks (named …_0, …_1, …), so one {@code execute()} runs them
     * all; the done flag makes the copies after the last iteration no-ops, so the result is the same. Trades the
     * cost of an {@code execute()} (on PoCL about 100–165 µs besides 50–60 µs per task, see LaunchOverhead) for
     * kernels compiled once per copy.
     */
    public static final int UNROLL_MAX = 16;
    private static final int UNROLL_DEFAULT;
    private static final String UNROLL_ERROR;

    static {
        String v = System.getProperty("varsparse.tornado.unroll", "1").trim();
        int u;
        try {
            u = Integer.parseInt(v);
        } catch (NumberFormatException ex) {
            u = 0;
        }
        UNROLL_ERROR = u >= 1 && u <= UNROLL_MAX ? null
                : "-Dvarsparse.tornado.unroll=" + v + ": use a whole number of iterations per launch, 1 to " + UNROLL_MAX;
        UNROLL_DEFAULT = UNROLL_ERROR == null ? u : 1;
    }

    /** Fails with the reason when a -D setting the solver reads is unusable (called when the backend is created). */
    public static void checkSettings() {
        if (NL_LOCAL_ERROR != null) {
            throw new IllegalArgumentException(NL_LOCAL_ERROR);
        }
        if (UNROLL_ERROR != null) {
            throw new IllegalArgumentException(UNROLL_ERROR);
        }
    }

    private final boolean linear;
    private final Decoder decoder;
    private final int batchSize; // B
    private final int codeDim; // l
    private final int outputDim; // P
    private final int hiddenDim; // H (0 for linear)
    private final int capacity; // largest K this plan takes
    private final int checkEvery;
    private final KernelVariant kernels;
    private final StepVariant stepKernels;
    private final int unroll; // FISTA iterations per step launch
    private FistaConfig config;

    private final FloatArray y; // (B×P)
    private final FloatArray e; // (B×l)
    private final FloatArray w; // linear: W (P×l); NL: W1 (H×l)
    private final FloatArray b1; // NL: (H); linear: (1) unused
    private final FloatArray w2; // NL: (P×H); linear: (1) unused
    private final FloatArray params; // (PARAMS)
    private final FloatArray momentum; // (capacity) (t_k − 1)/t_{k+1}, uploaded once
    private final FloatArray z; // (B×l)
    private final FloatArray aux; // (B×l)
    private final FloatArray grad; // (B×l)
    private final FloatArray stopped; // (B)
    private final IntArray steps; // (B)
    private final IntArray state; // (STATE)
    private final FloatArray mean; // (l)
    private final FloatArray std; // (l)
    private final FloatArray hinge; // (l)
    private final FloatArray gram; // linear: (l×l)
    private final FloatArray yw; // linear: (B×l)
    private final FloatArray ones; // (2) GEMM (alpha, beta) = (1, 0)
    private final FloatArray hid; // NL: (B×H)
    private final FloatArray hidGrad; // NL: (B×H)
    private final FloatArray res; // NL: (B×P)
    private final FloatArray w1t; // NL: W1ᵀ (l×H), formed on the device per batch
    private final FloatArray w2t; // NL: W2ᵀ (H×P), formed on the device per batch
    private final TornadoExecutionPlan plan;
    private long launches;

    /**
     * With the kernels {@code -Dvarsparse.tornado.kernels} (default plain) and {@code -Dvarsparse.tornado.step}
     * (default loops) name.
     */
    public TornadoFista(Decoder decoder, int batchSize, FistaConfig config) {
        this(decoder, batchSize, config, DEFAULT_CHECK_EVERY, KernelVariant.fromProperty(), StepVariant.fromProperty());
    }

    /** With the step kernels {@code -Dvarsparse.tornado.step} names (default loops). */
    public TornadoFista(Decoder decoder, int batchSize, FistaConfig config, int checkEvery, KernelVariant kernels) {
        this(decoder, batchSize, config, checkEvery, kernels, StepVariant.fromProperty());
    }

    public TornadoFista(Decoder decoder, int batchSize, FistaConfig config, int checkEvery, KernelVariant kernels,
                        StepVariant stepKernels) {
        this(decoder, batchSize, config, checkEvery, kernels, stepKernels, UNROLL_DEFAULT);
    }

    /** {@code unroll}: FISTA iterations per launch of the step graph (see {@link #UNROLL_MAX}). */
    public TornadoFista(Decoder decoder, int batchSize, FistaConfig config, int checkEvery, KernelVariant kernels,
                        StepVariant stepKernels, int unroll) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (config.varianceReg() > 0 && batchSize < 2) {
            throw new IllegalArgumentException("varianceReg > 0 needs batchSize >= 2 (unbiased std over the batch), got 1");
        }
        if (config.freezeConverged()) {
            throw new IllegalArgumentException("the TornadoVM solver implements the reference semantics only"
                    + " (freezeConverged = false)");
        }
        checkSettings();
        if (unroll < 1 || unroll > UNROLL_MAX) {
            throw new IllegalArgumentException("unroll must be 1.." + UNROLL_MAX + ", got " + unroll);
        }
        int bytecode = Integer.getInteger("tornado.tvm.maxbytecodesize", 4096); // TornadoVM's default
        if (unroll > 1 && bytecode < 2048 * (unroll + 1)) { // else TornadoVM bails out ("Recover option disabled")
            throw new IllegalArgumentException("unroll " + unroll + " needs TornadoVM's bytecode buffer to hold "
                    + unroll + " iterations: run with -Dtornado.tvm.maxbytecodesize=" + 2048 * (unroll + 1)
                    + " or more (run.sh sets 65536), now " + bytecode);
        }
        if (checkEvery < 1) {
            throw new IllegalArgumentException("checkEvery must be >= 1, got " + checkEvery);
        }
        this.decoder = decoder;
        this.linear = decoder instanceof LinearDictionary;
        this.batchSize = batchSize;
        this.codeDim = decoder.codeDim();
        this.outputDim = decoder.outputDim();
        this.hiddenDim = decoder instanceof OneHiddenDecoder nl ? nl.hiddenDim() : 0;
        this.capacity = Math.max(1, config.maxInferenceSteps());
        this.checkEvery = checkEvery;
        this.kernels = kernels;
        this.stepKernels = stepKernels;
        this.unroll = unroll;
        this.config = config;
        int bl = batchSize * codeDim;
        y = new FloatArray(batchSize * outputDim);
        e = new FloatArray(bl);
        w = new FloatArray(linear ? outputDim * codeDim : hiddenDim * codeDim);
        b1 = new FloatArray(linear ? 1 : hiddenDim);
        w2 = new FloatArray(linear ? 1 : outputDim * hiddenDim);
        params = new FloatArray(FistaKernels.PARAMS);
        momentum = new FloatArray(capacity);
        z = new FloatArray(bl);
        aux = new FloatArray(bl);
        grad = new FloatArray(bl);
        stopped = new FloatArray(batchSize);
        steps = new IntArray(batchSize);
        state = new IntArray(FistaKernels.STATE);
        mean = new FloatArray(codeDim);
        std = new FloatArray(codeDim);
        hinge = new FloatArray(codeDim);
        gram = new FloatArray(linear ? codeDim * codeDim : 1);
        yw = new FloatArray(linear ? bl : 1);
        ones = FloatArray.fromElements(1f, 0f);
        hid = new FloatArray(linear ? 1 : batchSize * hiddenDim);
        hidGrad = new FloatArray(linear ? 1 : batchSize * hiddenDim);
        res = new FloatArray(linear ? 1 : batchSize * outputDim);
        w1t = new FloatArray(linear ? 1 : hiddenDim * codeDim);
        w2t = new FloatArray(linear ? 1 : outputDim * hiddenDim);
        double t = 1.0; // t_0 = 1, t_{k+1} = (1 + √(1 + 4t_k²))/2: the same for every config
        for (int k = 0; k < capacity; k++) {
            double tNext = 0.5 * (1.0 + Math.sqrt(1.0 + 4.0 * t * t));
            momentum.set(k, (float) ((t - 1.0) / tNext));
            t = tNext;
        }
        HostArrays.keep(y, e, w, b1, w2, params, momentum, z, aux, grad, stopped, steps, state, mean, std, hinge, gram,
                yw, ones, hid, hidGrad, res, w1t, w2t);
        plan = new TornadoExecutionPlan(batchGraph().snapshot(), stepGraph().snapshot());
        GridScheduler launch = launchGrid();
        if (launch != null) {
            plan.withGridScheduler(launch);
        }
    }

    /**
     * The plan's explicit launches, or null for TornadoVM's default everywhere: the local GEMM kernels always (their
     * grid is part of the kernel: {@link #addLocalGrids}), else the plain and tiled NL kernels' 8 × 16 work-groups on
     * OpenCL or when forced ({@link #NL_LOCAL_0}); and the work-group step kernels' ({@link StepVariant#GROUPS}).
     */
    private GridScheduler launchGrid() {
        GridScheduler gs = new GridScheduler();
        boolean any = false;
        if (kernels == KernelVariant.LOCAL) {
            addLocalGrids(gs);
            any = true;
        } else if (!linear && NL_LOCAL_0 > 0 && (NL_LOCAL_FORCED || onOpenCl())) {
            for (int u = 0; u < unroll; u++) {
                addNlGrids(gs, suffix(u));
            }
            any = true;
        }
        if (stepKernels == StepVariant.GROUPS) {
            for (int u = 0; u < unroll; u++) {
                stepKernels.addGrids(gs, "step", suffix(u), batchSize, codeDim);
            }
            any = true;
        }
        return any ? gs : null;
    }

    private static boolean onOpenCl() {
        return TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice().getTornadoVMBackend()
                == TornadoVMBackendType.OPENCL;
    }

    /**
     * Explicit launch configuration of the NL step kernels (see {@link #NL_LOCAL_0}). The tiled kernels' loops run
     * over 4 × 4 tiles of the output, so their global sizes count tiles.
     */
    private void addNlGrids(GridScheduler gs, String sfx) {
        boolean tiled = kernels == KernelVariant.TILED;
        int b = tiled ? GemmKernels.tiles(batchSize) : batchSize;
        int l = tiled ? GemmKernels.tiles(codeDim) : codeDim;
        int p = tiled ? GemmKernels.tiles(outputDim) : outputDim;
        int h = tiled ? GemmKernels.tiles(hiddenDim) : hiddenDim;
        gs.addWorkerGrid("step.hidden" + sfx, grid(b, h, !tiled));
        gs.addWorkerGrid("step.residual" + sfx, grid(b, p, !tiled));
        gs.addWorkerGrid("step.hiddenGrad" + sfx, grid(b, h, !tiled));
        gs.addWorkerGrid("step.grad" + sfx, grid(b, l, !tiled));
    }

    /**
     * The local kernels' launches ({@link KernelVariant#LOCAL}), on every backend: linear, the batch graph's WᵀW
     * (l×l) and Y·W (B×l); NL, the four step kernels. One 16 × 16 work-group per 64 × 64 output block (global size
     * = the padded work-items; {@link KernelVariant#localGrid}); {@code -Dvarsparse.tornado.nlLocal} does not apply.
     */
    private void addLocalGrids(GridScheduler gs) {
        if (linear) {
            gs.addWorkerGrid("batch.gram", KernelVariant.localGrid(codeDim, codeDim));
            gs.addWorkerGrid("batch.yw", KernelVariant.localGrid(batchSize, codeDim));
        } else {
            for (int u = 0; u < unroll; u++) {
                KernelVariant.addLocalGrid(gs, "step", suffix(u), batchSize, codeDim, hiddenDim, outputDim);
            }
        }
    }

    /**
     * A 2D grid for loops (outer n0, inner n1). With a GridScheduler, TornadoVM replaces every scalar parameter that
     * is itself a {@code @Parallel} loop bound by the grid's global size, in the whole kernel (loop bound and index
     * arithmetic alike; TornadoTaskSpecialisation, "The loop bounds will be configured by the GridScheduler"). The
     * plain kernels' bounds are such parameters (rows, hidden, out, l), so their global sizes must be exact
     * ({@code exact}): the local sizes are the largest divisors of n0, n1 up to the NL block (B = 250: 5 × 16).
     * (Rounding B = 250 up to 256 made them compute and write rows 250..255 past the end of their buffers: on PoCL
     * heap corruption, "malloc(): unaligned tcache chunk detected", in GpuCheck's NL B = 250 cell.) The tiled kernels'
     * bounds are expressions (⌈n/4⌉), which stay compiled constants: their global sizes are rounded up to multiples
     * of the block, and the extra work-items do nothing.
     */
    private static WorkerGrid2D grid(int n0, int n1, boolean exact) {
        if (!exact && innerLoopFirst()) { // the tiled kernels on a GPU: the inner loop's extent on dimension 0
            WorkerGrid2D g = new WorkerGrid2D(roundUp(n1, NL_LOCAL_1), roundUp(n0, NL_LOCAL_0));
            g.setLocalWork(NL_LOCAL_1, NL_LOCAL_0, 1);
            return g;
        }
        int l0 = exact ? largestDivisor(n0, NL_LOCAL_0) : NL_LOCAL_0;
        int l1 = exact ? largestDivisor(n1, NL_LOCAL_1) : NL_LOCAL_1;
        WorkerGrid2D g = new WorkerGrid2D(roundUp(n0, l0), roundUp(n1, l1));
        g.setLocalWork(l0, l1, 1);
        return g;
    }

    /**
     * Whether TornadoVM gives the inner {@code @Parallel} loop dimension 0: on every non-CPU device it reverses the
     * loop nest (TornadoApiReplacement, {@code -Dtornado.loop.interchange}, default on), so the inner loop runs on the
     * fastest thread index. A grid ordered (rows, inner) there still computes the right values (the loops stride by
     * the grid) but leaves most work-items idle: 64 × 784 outputs on 64 × 64 busy work-items. The plain kernels cannot
     * take the swapped grid (their bare-parameter bounds take the grid's sizes in parameter order, rows first), the
     * tiled ones can (their bounds are compiled constants). {@code -Dvarsparse.tornado.innerFirst=true|false} overrides
     * the detection (the tests force true on PoCL, a CPU device).
     */
    private static boolean innerLoopFirst() {
        String forced = System.getProperty("varsparse.tornado.innerFirst");
        if (forced != null) {
            return Boolean.parseBoolean(forced.trim());
        }
        return TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice().getDeviceType() != TornadoDeviceType.CPU
                && !"false".equalsIgnoreCase(System.getProperty("tornado.loop.interchange", "True"));
    }

    private static int largestDivisor(int n, int max) {
        int d = Math.min(n, max);
        while (n % d != 0) {
            d--;
        }
        return d;
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    private TaskGraph batchGraph() {
        int b = batchSize, l = codeDim, p = outputDim;
        TaskGraph g = new TaskGraph("batch")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, linear ? new Object[] {y, e, w, params, ones}
                        : new Object[] {y, e, w, b1, w2, params});
        if (linear && kernels == KernelVariant.LOCAL) { // the same strides; launch grid: addLocalGrids
            KernelContext ctx = new KernelContext();
            g.task("gram", GemmKernels::matmulLocal, ctx, w, w, gram, ones, l, l, p, 1, l, l, 1) // WᵀW, W (P×l)
                    .task("yw", GemmKernels::matmulLocal, ctx, y, w, yw, ones, b, l, p, p, 1, l, 1); // Y·W (B×l)
        } else if (linear && kernels == KernelVariant.TILED) { // strides (aRow, aCol, bRow, bCol): matmulTN, matmulNN
            g.task("gram", GemmKernels::matmulTiled, w, w, gram, ones, l, l, p, 1, l, l, 1) // WᵀW, W (P×l)
                    .task("yw", GemmKernels::matmulTiled, y, w, yw, ones, b, l, p, p, 1, l, 1); // Y (B×P)·W (P×l)
        } else if (linear) {
            g.task("gram", GemmKernels::matmulTN, w, w, gram, ones, l, l, p) // WᵀW (l×P)·(P×l)
                    .task("yw", GemmKernels::matmulNN, y, w, yw, ones, b, l, p); // Y·W (B×P)·(P×l)
        } else {
            g.task("w1t", FistaKernels::transpose, w, w1t, hiddenDim, l) // W1ᵀ (l×H)
                    .task("w2t", FistaKernels::transpose, w2, w2t, p, hiddenDim); // W2ᵀ (H×P)
        }
        g.task("initCodes", FistaKernels::initCodes, e, z, aux, params, b * l)
                .task("initRows", FistaKernels::initRows, stopped, steps, state, params, b)
                .persistOnDevice(batchObjects());
        return g;
    }

    private TaskGraph stepGraph() {
        int b = batchSize, l = codeDim, p = outputDim, h = hiddenDim;
        TaskGraph g = new TaskGraph("step").consumeFromDevice("batch", stepObjects())
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, momentum);
        KernelContext ctx = new KernelContext();
        for (int u = 0; u < unroll; u++) { // one copy of the iteration per u, in order
            String sfx = suffix(u);
            if (linear) {
                g.task("grad" + sfx, FistaKernels::gramGradient, aux, gram, yw, grad, params, state, b, l);
            } else {
                kernels.addNlStep(g, sfx, aux, w1t, b1, hid, w2t, y, res, params, w2, hidGrad, w, grad, state, b, l, h,
                        p);
            }
            stepKernels.addTasks(g, sfx, ctx, aux, grad, e, z, mean, std, hinge, stopped, steps, momentum, params, state,
                    b, l);
        }
        return g.transferToHost(DataTransferMode.UNDER_DEMAND, state, z, steps, aux);
    }

    /** The task-name suffix of copy u of the iteration: none when the graph holds one copy, else "_u". */
    private String suffix(int u) {
        return unroll == 1 ? "" : "_" + u;
    }

    /** What the batch graph leaves on the device (only objects its tasks use: TornadoVM allocates no others). */
    private Object[] batchObjects() {
        return linear ? new Object[] {y, e, w, params, ones, z, aux, stopped, steps, state, gram, yw}
                : new Object[] {y, e, w, b1, w2, params, z, aux, stopped, steps, state, w1t, w2t};
    }

    /** What the step graph takes from the batch graph; its scratch arrays (grad, statistics, NL activations) live only there. */
    private Object[] stepObjects() {
        return linear ? new Object[] {e, params, z, aux, stopped, steps, state, gram, yw}
                : new Object[] {y, e, w, b1, w2, params, z, aux, stopped, steps, state, w1t, w2t};
    }

    /** Compiles the kernels now (else the first solve does it). */
    public TornadoFista precompile() {
        plan.withPreCompilation();
        return this;
    }

    /** Which GEMM kernels this plan runs. */
    public KernelVariant kernels() {
        return kernels;
    }

    /** FISTA iterations per launch of the step graph. */
    public int unroll() {
        return unroll;
    }

    /** Which non-GEMM step kernels this plan runs. */
    public StepVariant stepKernels() {
        return stepKernels;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public int codeDim() {
        return codeDim;
    }

    @Override
    public FistaConfig config() {
        return config;
    }

    /** Another config for the same plan (e.g. tol = 0 for fixed-work timing); K may not exceed the first one's. */
    public void setConfig(FistaConfig config) {
        if (config.maxInferenceSteps() > capacity || config.freezeConverged()
                || (config.varianceReg() > 0 && batchSize < 2)) {
            throw new IllegalArgumentException("config " + config + " does not fit this plan (K <= " + capacity
                    + ", freezeConverged = false)");
        }
        this.config = config;
    }

    /** Step-graph launches so far (each runs {@link #unroll} iterations, or no-ops after the solve finished). */
    public long launches() {
        return launches;
    }

    @Override
    public FistaResult solve(Matrix yIn, Matrix encoderCodes, Matrix out) {
        CodeSolver.checkSolveArguments(this, outputDim, yIn, encoderCodes, out);
        upload(yIn, encoderCodes);
        plan.withGraph(0).execute();
        int maxSteps = config.maxInferenceSteps();
        TornadoExecutionResult last = null;
        int launched = 0;
        while (true) {
            for (int next = nextCheck(launched, checkEvery); launched < next; launched++) {
                last = plan.withGraph(1).execute();
            }
            last.transferToHost(state);
            if (state.get(FistaKernels.DONE) != 0) {
                break;
            }
            if ((long) launched * unroll > maxSteps + (long) checkEvery * unroll) {
                throw new IllegalStateException("the device solve did not finish after " + launched + " launches");
            }
        }
        launches += launched;
        last.transferToHost(z, steps);
        HostCopy.toHost(z, out.data);
        int[] perRow = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            perRow[i] = steps.get(i);
        }
        return new FistaResult(out, state.get(FistaKernels.ITERATIONS), perRow, null);
    }

    /**
     * The launch count at which the host next reads the done flag, after {@code launched}: 1, 2, 4, … up to
     * {@code checkEvery}, then every {@code checkEvery} (8: 1, 2, 4, 8, 16, 24, …). A solve that stops after a few
     * iterations (NL at the reference's tol: 3 or 4) then launches at most about twice its iterations, not
     * {@code checkEvery}; a long one pays a few extra 8-byte reads.
     */
    static int nextCheck(int launched, int checkEvery) {
        return launched == 0 ? 1 : launched < checkEvery ? Math.min(2 * launched, checkEvery) : launched + checkEvery;
    }

    private void upload(Matrix yIn, Matrix encoderCodes) {
        HostCopy.toDevice(yIn.data, y);
        if (encoderCodes != null) {
            HostCopy.toDevice(encoderCodes.data, e);
        } else {
            e.init(0f);
        }
        if (decoder instanceof LinearDictionary lin) {
            HostCopy.toDevice(lin.W.data, w);
        } else {
            OneHiddenDecoder nl = (OneHiddenDecoder) decoder;
            HostCopy.toDevice(nl.W1.data, w);
            HostCopy.toDevice(nl.b1, b1);
            HostCopy.toDevice(nl.W2.data, w2);
        }
        FistaConfig c = config;
        params.set(FistaKernels.ETA, (float) c.codeStepSize());
        params.set(FistaKernels.LAMBDA, (float) c.sparsityReg());
        params.set(FistaKernels.BETA, (float) c.varianceReg());
        params.set(FistaKernels.THRESHOLD, (float) c.hingeThreshold());
        params.set(FistaKernels.CODE_COEF, c.codeReg() > 0 ? (float) (2.0 * c.codeReg() / codeDim) : 0f);
        params.set(FistaKernels.TOL, (float) c.tolerance());
        params.set(FistaKernels.SCALE, 2f / outputDim);
        params.set(FistaKernels.ENCODER_INIT, c.encoderInit() ? 1f : 0f);
        params.set(FistaKernels.MAX_STEPS, c.maxInferenceSteps());
    }

    @Override
    public void close() {
        try {
            // close() frees the device buffers of the last selected graph only (step, after a solve); selecting batch
            // first frees its buffers (Y, E, the weights, Z, A, the state: the larger part). Selecting both is refused
            // ("trying to deallocate an invalid buffer": the two graphs share the persisted buffers).
            plan.withGraph(0);
            plan.close();
        } catch (TornadoExecutionPlanException ex) {
            throw new IllegalStateException("freeing the FISTA plan failed", ex);
        }
    }
}
