package org.varsparse.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.varsparse.tensor.Matrix;

/** Checks that a matrix looks like i.i.d. draws from U(−bound, bound): range, mean and variance. */
final class UniformCheck {
    private UniformCheck() {
    }

    static void assertUniform(String what, Matrix m, double bound) {
        int n = m.size();
        double sum = 0, sumSq = 0, maxAbs = 0;
        for (float v : m.data) {
            sum += v;
            sumSq += (double) v * v;
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        double mean = sum / n, var = sumSq / n - mean * mean, expectedVar = bound * bound / 3;
        // Standard errors: mean bound/√(3n); variance about 0.9·expectedVar/√n (for a uniform, var(x²) = 4b⁴/45).
        assertTrue(maxAbs <= bound, what + ": max |w| " + maxAbs + " exceeds the bound " + bound);
        assertTrue(maxAbs > bound * (1 - 20.0 / n), what + ": max |w| " + maxAbs + " is far below the bound " + bound);
        assertTrue(Math.abs(mean) < 5 * bound / Math.sqrt(3.0 * n), what + ": mean " + mean);
        assertTrue(Math.abs(var - expectedVar) < 5 * 0.9 * expectedVar / Math.sqrt(n),
                what + ": variance " + var + ", expected " + expectedVar);
    }
}
