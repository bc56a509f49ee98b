package org.varsparse.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.varsparse.backend.Backends;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * Timing server for paired comparisons with another library (compare_openblas.py): reads lines
 * {@code SHAPE THREADS SECONDS} on stdin, runs that GEMM with the simd backend for about SECONDS, prints
 * one line {@code WALL_GFLOPS CPU_GFLOPS CALLS}: flops over elapsed time, and over this thread's CPU time (the
 * whole work when THREADS is 1, so a measure that other processes on the machine barely disturb). The first request of a (shape, threads) pair warms it up first (C2 must
 * compile the vector code before timing: PERF-NOTES). The caller alternates blocks with its own.
 */
public final class GemmDriver {
    private GemmDriver() {
    }

    public static void main(String[] args) throws Exception {
        Map<Integer, TensorOps> backends = new HashMap<>();
        Map<GemmShape, Matrix[]> data = new EnumMap<>(GemmShape.class);
        Map<String, Boolean> warm = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready " + Backends.describe(backend(backends, 1)));
        System.out.flush();
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) {
                System.out.println("error: expected SHAPE THREADS SECONDS, got '" + line + "'");
                System.out.flush();
                continue;
            }
            GemmShape shape = GemmShape.valueOf(f[0]);
            int threads = Integer.parseInt(f[1]);
            double seconds = Double.parseDouble(f[2]);
            TensorOps ops = backend(backends, threads);
            Matrix[] abc = data.computeIfAbsent(shape, s -> {
                SplittableRandom rng = new SplittableRandom(7);
                return new Matrix[] {s.newA(rng), s.newB(rng), new Matrix(s.m, s.n)};
            });
            if (warm.putIfAbsent(shape + "/" + threads, true) == null) {
                time(shape, ops, abc, 1.0); // warm-up
            }
            double[] r = time(shape, ops, abc, seconds);
            System.out.println(String.format(Locale.ROOT, "%.3f %.3f %d", r[0], r[1], (long) r[2]));
            System.out.flush();
        }
    }

    private static TensorOps backend(Map<Integer, TensorOps> backends, int threads) {
        return backends.computeIfAbsent(threads, t -> {
            System.setProperty(Backends.THREADS_PROPERTY, Integer.toString(t));
            return Backends.create("simd");
        });
    }

    /** {GFLOP/s over wall time, GFLOP/s over this thread's CPU time, calls} for about {@code seconds}. */
    private static double[] time(GemmShape shape, TensorOps ops, Matrix[] abc, double seconds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long budget = (long) (seconds * 1e9), calls = 0;
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime(), t;
        do {
            for (int i = 0; i < 4; i++) {
                shape.multiply(ops, abc[0], abc[1], abc[2]);
            }
            calls += 4;
            t = System.nanoTime();
        } while (t - t0 < budget);
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        return new double[] {shape.flops() * calls / (t - t0), shape.flops() * calls / cpu, calls};
    }
}
