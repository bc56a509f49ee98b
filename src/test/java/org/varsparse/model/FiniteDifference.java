package org.varsparse.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleSupplier;

/**
 * Central finite differences of a loss re-evaluated in double, against an analytic float32 gradient. Every entry
 * of the parameter is perturbed; the error is max_i |fd_i − g_i| / max_i |fd_i|.
 */
final class FiniteDifference {
    static final double STEP = 1e-6;
    static final double TOLERANCE = 1e-4;

    private FiniteDifference() {
    }

    /** {@code param} is the double copy the {@code loss} reads; it is restored after each perturbation. */
    static void check(String what, double[] param, float[] analytic, DoubleSupplier loss) {
        if (param.length != analytic.length) {
            throw new AssertionError(what + ": " + param.length + " parameters, " + analytic.length + " gradients");
        }
        double[] fd = new double[param.length];
        double scale = 0;
        for (int i = 0; i < param.length; i++) {
            double saved = param[i];
            param[i] = saved + STEP;
            double up = loss.getAsDouble();
            param[i] = saved - STEP;
            double down = loss.getAsDouble();
            param[i] = saved;
            fd[i] = (up - down) / (2 * STEP);
            scale = Math.max(scale, Math.abs(fd[i]));
        }
        double err = 0;
        for (int i = 0; i < fd.length; i++) {
            double e = Math.abs(fd[i] - analytic[i]) / scale;
            err = Double.isNaN(e) ? Double.POSITIVE_INFINITY : Math.max(err, e);
        }
        System.out.printf("finite differences %-34s n=%-5d max|g|=%.3g  max err/max|g|=%.2g%n", what, fd.length,
                scale, err);
        assertTrue(scale > 0, what + ": the finite-difference gradient is identically zero, the check is vacuous");
        double e = err;
        assertTrue(err <= TOLERANCE, () -> what + ": analytic gradient differs from finite differences by " + e
                + " of max|g|");
    }

    static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
