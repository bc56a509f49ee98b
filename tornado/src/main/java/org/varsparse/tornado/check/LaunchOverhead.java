package org.varsparse.tornado.check;

import java.util.Arrays;
import java.util.Locale;
import org.varsparse.tornado.HostArrays;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * What one task launch costs on the device: a graph of 1 and one of {@link #TASKS} trivial tasks (32 work-items each,
 * data on the device, nothing transferred per execute), each executed {@link #EXECUTES} times, median of 5; the cost
 * per task is the slope, the rest is the cost per {@code execute()}. A FISTA iteration is 4 (linear) or 7 (NL) tasks,
 * so this says how much of an iteration's time is launches rather than work. Printed by {@link GpuCheck}'s bench.
 */
final class LaunchOverhead {
    static final int TASKS = 16;
    static final int EXECUTES = 200;

    private LaunchOverhead() {
    }

    /** A trivial kernel: a[i] += 1 over 32 elements. */
    public static void touch(FloatArray a, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            a.set(i, a.get(i) + 1f);
        }
    }

    /** One line: µs per execute and per task. */
    static String measure() throws TornadoExecutionPlanException {
        double one = perExecute(1), many = perExecute(TASKS);
        double perTask = (many - one) / (TASKS - 1);
        return String.format(Locale.ROOT, "launch overhead: %.1f µs per task, %.1f µs per execute() besides"
                + " (graphs of 1 and %d trivial tasks, %d executes, median of 5; an iteration is 4 tasks linear, 7 NL)",
                perTask, one - perTask, TASKS, EXECUTES);
    }

    /** Median µs per execute() of a graph of {@code tasks} trivial tasks. */
    private static double perExecute(int tasks) throws TornadoExecutionPlanException {
        int n = 32;
        FloatArray a = new FloatArray(n);
        HostArrays.keep(a);
        TaskGraph g = new TaskGraph("launch" + tasks).transferToDevice(DataTransferMode.FIRST_EXECUTION, a);
        for (int t = 0; t < tasks; t++) {
            g.task("t" + t, LaunchOverhead::touch, a, n);
        }
        g.transferToHost(DataTransferMode.UNDER_DEMAND, a);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withPreCompilation();
            for (int i = 0; i < 20; i++) {
                plan.execute(); // warm-up
            }
            double[] us = new double[5];
            for (int r = 0; r < us.length; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < EXECUTES; i++) {
                    plan.execute();
                }
                us[r] = (System.nanoTime() - t0) / 1e3 / EXECUTES;
            }
            Arrays.sort(us);
            return us[us.length / 2];
        }
    }
}
