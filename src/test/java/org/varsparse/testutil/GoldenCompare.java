package org.varsparse.testutil;

import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * Elementwise comparison against reference fixtures, printing the difference achieved. The relative error of
 * entry i is |a_i − e_i| / max(|e_i|, floor) with floor = floorFraction·max_j |e_j|, so entries near zero are
 * judged against the scale of the whole tensor.
 */
public final class GoldenCompare {
    private GoldenCompare() {
    }

    /** Compares with the fixture {@code name} (any dtype, widened to double); returns the max relative error. */
    public static double assertClose(String name, float[] actual, double floorFraction, double tolerance) {
        return assertClose(name, actual, Golden.array(name).values(), floorFraction, tolerance);
    }

    public static double assertClose(String what, float[] actual, double[] expected, double floorFraction,
                                     double tolerance) {
        double[] a = new double[actual.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = actual[i];
        }
        return assertClose(what, a, expected, floorFraction, tolerance);
    }

    public static double assertClose(String what, double[] actual, double[] expected, double floorFraction,
                                     double tolerance) {
        if (actual.length != expected.length) {
            throw new AssertionError(what + ": " + actual.length + " values, reference has " + expected.length);
        }
        double maxAbsRef = 0;
        for (double e : expected) {
            maxAbsRef = Math.max(maxAbsRef, Math.abs(e));
        }
        double floor = Math.max(floorFraction * maxAbsRef, Double.MIN_NORMAL);
        double maxRel = 0, maxAbs = 0;
        int worst = -1;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            double rel = d / Math.max(Math.abs(expected[i]), floor);
            if (!(rel <= maxRel)) { // NaN counts as a failure
                maxRel = Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel;
                worst = i;
            }
            maxAbs = Math.max(maxAbs, d);
        }
        System.out.printf("%-40s n=%-7d max|ref|=%.4g  max abs diff=%.3g  max rel diff=%.3g (floor %.0e·max, tol %.0e)%n",
                what, actual.length, maxAbsRef, maxAbs, maxRel, floorFraction, tolerance);
        double m = maxRel;
        int w = worst;
        assertTrue(m <= tolerance, () -> what + ": max relative difference " + m + " at index " + w + " (actual "
                + actual[w] + ", reference " + expected[w] + ") exceeds " + tolerance);
        return maxRel;
    }

    public static double scalar(String name) {
        return Golden.array(name).values()[0];
    }

    /**
     * Parameters after a few Adam steps: each entry moves by about lr·sign(g) per step, so a gradient that is ~1e-7
     * through cancellation can flip sign between two float32 evaluations and move an entry by up to 2·lr (golden
     * README, case 6). Requires |Δ| ≤ {@code closeLr}·lr on all but {@code maxLooseFraction} of the entries and
     * ≤ 2.1·lr on every entry; prints the figures achieved.
     */
    public static void assertAdamParams(String name, float[] actual, double lr, double closeLr, double maxLooseFraction) {
        double[] expected = Golden.array(name).values();
        int loose = 0;
        double maxAbs = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            maxAbs = Math.max(maxAbs, d);
            if (!(d <= closeLr * lr)) {
                loose++;
            }
        }
        System.out.printf("%-40s n=%-7d max |diff| = %.3g lr, %d entries beyond %.3g lr%n", name, actual.length,
                maxAbs / lr, loose, closeLr);
        int l = loose;
        double m = maxAbs;
        assertTrue(loose <= actual.length * maxLooseFraction,
                () -> name + ": " + l + " entries differ by more than " + closeLr + "·lr");
        assertTrue(maxAbs <= 2.1 * lr, () -> name + ": max difference " + m + " exceeds 2.1·lr");
    }
}
