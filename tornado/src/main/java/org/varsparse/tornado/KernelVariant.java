package org.varsparse.tornado;

import java.util.Locale;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Which GEMM kernels the device plans use ({@code -Dvarsparse.tornado.kernels=plain|tiled|local}, default plain):
 * the one-work-item-per-output loops ({@link GemmKernels#matmulNN} …, {@link FistaKernels#hiddenForward} …), their
 * register-tiled versions ({@link GemmKernels#matmulTiled}, {@link FistaKernels#hiddenForwardTiled} …: 4 × 4
 * outputs per work-item), or the local-memory tiled {@link uk.ac.manchester.tornado.api.KernelContext} kernels
 * ({@link GemmKernels#matmulLocal}, {@link LocalKernels#hiddenForwardLocal} …: 64 × 64 outputs per 16 × 16
 * work-group, which need an explicit launch grid, {@link #addLocalGrid}). All give the same floats: every output is
 * one float accumulation over p = 0..k−1 in increasing order. The default stays plain until the others have been
 * timed on a GPU.
 */
public enum KernelVariant {
    PLAIN, TILED, LOCAL;

    public static final String PROPERTY = "varsparse.tornado.kernels";

    /** The variant {@link #PROPERTY} names (plain when unset); any other value is an error. */
    public static KernelVariant fromProperty() {
        String v = System.getProperty(PROPERTY, "plain").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "plain" -> PLAIN;
            case "tiled" -> TILED;
            case "local" -> LOCAL;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + v + ": use plain, tiled or local");
        };
    }

    /**
     * Adds this variant's four NL step kernels to {@code g} as tasks "hidden", "residual", "hiddenGrad", "grad"
     * (the gradient of the decoder loss at aux): hid = relu(aux·W1ᵀ + b1), res = (2/P)(hid·W2ᵀ − y),
     * hidGrad = (res·W2) ⊙ 1[hid > 0], grad = hidGrad·W1. Shapes: aux (B×l), w1t (l×H), b1 (H), hid (B×H), w2t (H×P),
     * y and res (B×P), w2 (P×H), hidGrad (B×H), w1 (H×l), grad (B×l). The local kernels also need their launch
     * grid in the plan: {@link #addLocalGrid}.
     */
    public TaskGraph addNlStep(TaskGraph g, FloatArray aux, FloatArray w1t, FloatArray b1, FloatArray hid,
                               FloatArray w2t, FloatArray y, FloatArray res, FloatArray params, FloatArray w2,
                               FloatArray hidGrad, FloatArray w1, FloatArray grad, IntArray state, int b, int l, int h,
                               int p) {
        return addNlStep(g, "", aux, w1t, b1, hid, w2t, y, res, params, w2, hidGrad, w1, grad, state, b, l, h, p);
    }

    /** As above, with {@code suffix} appended to the task names (one copy of the iteration per suffix). */
    public TaskGraph addNlStep(TaskGraph g, String suffix, FloatArray aux, FloatArray w1t, FloatArray b1,
                               FloatArray hid, FloatArray w2t, FloatArray y, FloatArray res, FloatArray params,
                               FloatArray w2, FloatArray hidGrad, FloatArray w1, FloatArray grad, IntArray state, int b,
                               int l, int h, int p) {
        if (this == LOCAL) {
            KernelContext ctx = new KernelContext();
            return g.task("hidden" + suffix, LocalKernels::hiddenForwardLocal, ctx, aux, w1t, b1, hid, state, b, h,
                            l)
                    .task("residual" + suffix, LocalKernels::residualLocal, ctx, hid, w2t, y, res, params, state, b,
                            p, h)
                    .task("hiddenGrad" + suffix, LocalKernels::hiddenBackwardLocal, ctx, res, w2, hid, hidGrad, state,
                            b, h, p)
                    .task("grad" + suffix, LocalKernels::codeGradientLocal, ctx, hidGrad, w1, grad, state, b, l, h);
        }
        if (this == TILED) {
            return g.task("hidden" + suffix, FistaKernels::hiddenForwardTiled, aux, w1t, b1, hid, state, b, h, l)
                    .task("residual" + suffix, FistaKernels::residualTiled, hid, w2t, y, res, params, state, b, p, h)
                    .task("hiddenGrad" + suffix, FistaKernels::hiddenBackwardTiled, res, w2, hid, hidGrad, state, b,
                            h, p)
                    .task("grad" + suffix, FistaKernels::codeGradientTiled, hidGrad, w1, grad, state, b, l, h);
        }
        return g.task("hidden" + suffix, FistaKernels::hiddenForward, aux, w1t, b1, hid, state, b, h, l)
                .task("residual" + suffix, FistaKernels::residual, hid, w2t, y, res, params, state, b, p, h)
                .task("hiddenGrad" + suffix, FistaKernels::hiddenBackward, res, w2, hid, hidGrad, state, b, h, p)
                .task("grad" + suffix, FistaKernels::codeGradient, hidGrad, w1, grad, state, b, l, h);
    }

    /**
     * The launch grids of {@link #addNlStep}'s four local kernels in graph {@code graph} (LOCAL only; the others keep
     * their callers' grids): one 16 × 16 work-group per 64 × 64 block of each output (hid B×H, res B×P, hidGrad
     * B×H, grad B×l), on every backend.
     */
    public static GridScheduler addLocalGrid(GridScheduler gs, String graph, int b, int l, int h, int p) {
        return addLocalGrid(gs, graph, "", b, l, h, p);
    }

    /** As above, for the tasks named with {@code suffix}. */
    public static GridScheduler addLocalGrid(GridScheduler gs, String graph, String suffix, int b, int l, int h,
                                             int p) {
        gs.addWorkerGrid(graph + ".hidden" + suffix, localGrid(b, h));
        gs.addWorkerGrid(graph + ".residual" + suffix, localGrid(b, p));
        gs.addWorkerGrid(graph + ".hiddenGrad" + suffix, localGrid(b, h));
        gs.addWorkerGrid(graph + ".grad" + suffix, localGrid(b, l));
        return gs;
    }

    /**
     * The launch of a local-memory kernel with an m × n output: dimension 0 over C's columns, dimension 1 over its
     * rows; global size = the padded number of work-items ({@link LocalKernels#globalSize}), local size
     * {@link LocalKernels#WG} × {@link LocalKernels#WG} (fixed: the kernels' tile loops assume it).
     */
    public static WorkerGrid2D localGrid(int m, int n) {
        WorkerGrid2D g = new WorkerGrid2D(LocalKernels.globalSize(n), LocalKernels.globalSize(m));
        g.setLocalWork(LocalKernels.WG, LocalKernels.WG, 1);
        return g;
    }

    /** "plain", "tiled" or "local", as the property spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
