package org.varsparse.tornado;

import java.util.Locale;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Which kernels run the non-GEMM part of a FISTA iteration on the device ({@code -Dvarsparse.tornado.step=loops|groups},
 * default loops). Both are three tasks, "stats" (hinge column statistics), "prox" (masked prox, momentum and each
 * row's stop test) and "finish" (iteration count and done flag), down from eight before (each task is a launch):
 * <ul>
 *   <li>{@link #LOOPS}: {@code @Parallel} kernels ({@link FistaKernels#columnStats}, {@link FistaKernels#proxStep},
 *       {@link FistaKernels#finishIteration}) in which one work-item loops over a column (2B elements), a row (l)
 *       or the batch's stop flags (B). The sums run in the scalar oracle's order; on a GPU each such loop costs
 *       about one memory latency per element.</li>
 *   <li>{@link #GROUPS}: {@link GroupKernels}, the same with {@link GroupKernels#LANES} work-items per column, row
 *       or batch sharing the loop and combining through local memory (tree sums).</li>
 * </ul>
 */
public enum StepVariant {
    LOOPS, GROUPS;

    public static final String PROPERTY = "varsparse.tornado.step";

    /** The variant {@link #PROPERTY} names (loops when unset); any other value is an error. */
    public static StepVariant fromProperty() {
        String v = System.getProperty(PROPERTY, "loops").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "loops" -> LOOPS;
            case "groups" -> GROUPS;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + v + ": use loops or groups");
        };
    }

    /**
     * Adds the tasks "stats", "prox", "finish" to {@code g} (after the gradient tasks). Shapes: aux, grad, e, z (B×l);
     * mean, std, hinge (l); stopped, steps (B); momentum (K); params, state as {@link FistaKernels}. {@code ctx} is
     * used by {@link #GROUPS} only.
     */
    public TaskGraph addTasks(TaskGraph g, KernelContext ctx, FloatArray aux, FloatArray grad, FloatArray e,
                              FloatArray z, FloatArray mean, FloatArray std, FloatArray hinge, FloatArray stopped,
                              IntArray steps, FloatArray momentum, FloatArray params, IntArray state, int b, int l) {
        return addTasks(g, "", ctx, aux, grad, e, z, mean, std, hinge, stopped, steps, momentum, params, state, b, l);
    }

    /** As above, with {@code suffix} appended to the task names (one copy of the iteration per suffix). */
    public TaskGraph addTasks(TaskGraph g, String suffix, KernelContext ctx, FloatArray aux, FloatArray grad,
                              FloatArray e, FloatArray z, FloatArray mean, FloatArray std, FloatArray hinge,
                              FloatArray stopped, IntArray steps, FloatArray momentum, FloatArray params,
                              IntArray state, int b, int l) {
        if (this == GROUPS) {
            return g.task("stats" + suffix, GroupKernels::columnStats, ctx, aux, mean, std, hinge, params, state, b, l)
                    .task("prox" + suffix, GroupKernels::proxStep, ctx, aux, grad, e, z, hinge, mean, stopped, steps,
                            momentum, params, state, b, l)
                    .task("finish" + suffix, GroupKernels::finish, ctx, stopped, state, params, b);
        }
        return g.task("stats" + suffix, FistaKernels::columnStats, aux, mean, std, hinge, params, state, b, l)
                .task("prox" + suffix, FistaKernels::proxStep, aux, grad, e, z, hinge, mean, stopped, steps, momentum,
                        params, state, b, l)
                .task("finish" + suffix, FistaKernels::finishIteration, stopped, state, params, b);
    }

    /** The launch shapes {@link #GROUPS} needs, for tasks {@code graph}.stats/prox/finish (LOOPS: none). */
    public void addGrids(GridScheduler gs, String graph, int b, int l) {
        addGrids(gs, graph, "", b, l);
    }

    /** As above, for the tasks named with {@code suffix}. */
    public void addGrids(GridScheduler gs, String graph, String suffix, int b, int l) {
        if (this == GROUPS) {
            gs.addWorkerGrid(graph + ".stats" + suffix, groups(l));
            gs.addWorkerGrid(graph + ".prox" + suffix, groups(b));
            gs.addWorkerGrid(graph + ".finish" + suffix, groups(1));
        }
    }

    private static WorkerGrid1D groups(int n) {
        WorkerGrid1D g = new WorkerGrid1D(n * GroupKernels.LANES);
        g.setLocalWork(GroupKernels.LANES, 1, 1);
        return g;
    }

    /** "loops" or "groups", as the property spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
