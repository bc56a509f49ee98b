package org.varsparse.inference;

import org.varsparse.tensor.Matrix;

/**
 * What one FISTA solve returns.
 *
 * @param codes      the final codes Z (B×l), ≥ 0
 * @param iterations loop iterations run (the reference's step + 1; at most K)
 * @param steps      per sample, the number of iterations in which it was not converged (the reference's
 *                   {@code stop_early_step}, length B)
 * @param trace      the per-iteration record, or null when tracing was off
 */
public record FistaResult(Matrix codes, int iterations, int[] steps, Trace trace) {

    /** The reference's logged {@code inf_steps}: the mean over samples of {@link #steps}. */
    public double meanSteps() {
        long s = 0;
        for (int n : steps) {
            s += n;
        }
        return (double) s / steps.length;
    }

    /**
     * Per-iteration record (the layout of the golden {@code *_energy} and {@code *_mask} files).
     *
     * @param energy row 0: the energy at Z⁰; row k ≥ 1: after iteration k (iterations + 1 rows)
     * @param mask   row k: the per-sample converged flags (1 = relative change below tol) computed at the end of
     *               iteration k + 1; they mask iteration k + 2 (iterations rows of B)
     */
    public record Trace(Energy.Terms[] energy, byte[][] mask) {
    }
}
