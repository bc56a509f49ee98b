package org.varsparse.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.estimators.SparseCoder;
import org.varsparse.tensor.Matrix;

/**
 * OMP in an overcomplete dictionary asked for more atoms than there are dimensions: sklearn's rule (stop when the new
 * atom's squared distance from the span of the chosen ones is at most float32's eps) chooses at most n_features atoms,
 * and the codes then reproduce each sample (P independent atoms span the space). The old threshold (a double's
 * smallest normal number) took a 9th atom in 8 dimensions, fitting rounding noise with large coefficients.
 */
class OmpLinearDependenceTest {
    /** {@code k} random unit-norm atoms in {@code p} dimensions (k × p). */
    private static Matrix unitAtoms(int k, int p, SplittableRandom rng) {
        Matrix d = Matrix.uniform(k, p, -1f, 1f, rng);
        for (int i = 0; i < k; i++) {
            double n = 0;
            for (int j = 0; j < p; j++) {
                n += d.get(i, j) * (double) d.get(i, j);
            }
            for (int j = 0; j < p; j++) {
                d.set(i, j, (float) (d.get(i, j) / Math.sqrt(n)));
            }
        }
        return d;
    }

    /** Per row: at most p non-zeros, and z·D reproduces y (with p atoms, to float rounding). */
    private static void assertAtMostPAtomsAndExact(Matrix y, Matrix d, Matrix z, String what) {
        for (int i = 0; i < y.rows; i++) {
            int nz = 0;
            double err = 0, norm = 0;
            for (int j = 0; j < d.rows; j++) {
                nz += z.get(i, j) != 0 ? 1 : 0;
            }
            for (int c = 0; c < d.cols; c++) {
                double r = y.get(i, c);
                for (int j = 0; j < d.rows; j++) {
                    r -= z.get(i, j) * (double) d.get(j, c);
                }
                err += r * r;
                norm += y.get(i, c) * (double) y.get(i, c);
            }
            assertTrue(nz <= d.cols, what + ", row " + i + ": " + nz + " atoms in " + d.cols + " dimensions");
            // P atoms span the space; fewer means the next best atom was (within √eps of) dependent on them, and
            // sklearn stops there too, with a residual of about that size
            double bound = nz == d.cols ? 1e-4 : 1e-2;
            assertTrue(Math.sqrt(err / norm) < bound, what + ", row " + i + ": " + nz + " atoms, relative error "
                    + Math.sqrt(err / norm));
        }
    }

    @Test
    void twelveAtomsAskedInEightDimensionsGiveAtMostEight() {
        SplittableRandom rng = new SplittableRandom(0);
        Matrix d = unitAtoms(32, 8, rng);
        Matrix y = Matrix.uniform(5, 8, -1f, 1f, rng);
        Matrix z = SparseCoder.builder(d).algorithm(SparseCoder.Algorithm.OMP).nNonzeroCoefs(12).build().transform(y);
        assertAtMostPAtomsAndExact(y, d, z, "SparseCoder OMP");
    }

    @ParameterizedTest(name = "P = {0}")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void allAtomsAskedStopAtLinearDependence(int p) {
        for (int seed = 0; seed < 40; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            int k = p + 1 + rng.nextInt(3 * p);
            Matrix d = unitAtoms(k, p, rng);
            Matrix y = Matrix.uniform(4, p, -1f, 1f, rng);
            SparseEncode.Codes c = SparseEncode.omp(new ScalarOps(), y, d, k);
            assertAtMostPAtomsAndExact(y, d, c.codes(), "seed " + seed + ", " + k + " atoms");
            assertTrue(c.iterations() <= p, "iterations " + c.iterations());
        }
    }

    @Test
    void aSampleOnOneAtomTakesThatAtomOnly() {
        Matrix d = unitAtoms(6, 4, new SplittableRandom(2));
        Matrix y = new Matrix(1, 4);
        for (int c = 0; c < 4; c++) {
            y.set(0, c, 3f * d.get(4, c));
        }
        Matrix z = SparseEncode.omp(new ScalarOps(), y, d, 6).codes();
        assertEquals(3f, z.get(0, 4), 1e-5f);
        for (int j = 0; j < 6; j++) {
            if (j != 4) {
                assertEquals(0f, z.get(0, j), "nothing left to explain after atom 4: atom " + j);
            }
        }
    }
}
