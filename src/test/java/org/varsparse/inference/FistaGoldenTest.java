package org.varsparse.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;
import org.varsparse.testutil.Golden;

/**
 * FISTA against the reference's own {@code utils.ISTA} (deep-sparse 70562a3, PyTorch 1.13.1 float32, one
 * thread; shared/golden/README.md cases 1, 2, 2b, 3), on the scalar oracle backend.
 */
class FistaGoldenTest {

    static FistaResult solveTraced(GoldenCases c, FistaConfig config) {
        Fista fista = new Fista(new ScalarOps(), c.decoder(), c.batchSize(), config);
        fista.setRecordTrace(true);
        return fista.solve(c.y(), c.e());
    }

    @Test
    void case1LinearVdl() {
        GoldenCases c = GoldenCases.linearVdl();
        // Sample 137's relative change at iteration 77 is within 1.45e-5 of tol: float ports may flip it.
        FixtureCheck.assertMatches("case 1", c, solveTraced(c, c.config()), 1e-4, 1e-5, 1);
    }

    @Test
    void case3LinearSdl() {
        GoldenCases c = GoldenCases.linearSdl();
        FixtureCheck.assertMatches("case 3", c, solveTraced(c, c.config()), 1e-5, 1e-6, 0);
    }

    @Test
    void case2NonlinearVdlNl() {
        GoldenCases c = GoldenCases.nonlinearVdlNl();
        FistaResult r = solveTraced(c, c.config());
        FixtureCheck.assertMatches("case 2", c, r, 1e-5, 1e-6, 0);
        assertEquals(200, r.iterations(), "21 rows never converge, so the cap ends the loop");
    }

    /** γ = 100 at l = 32 diverges (η·2γ/l = 3.125 > 2); the port must diverge along the same trace. */
    @Test
    void case2bDivergesLikeTheReference() {
        GoldenCases c = GoldenCases.nonlinearVdlNlGamma100();
        FistaResult r = solveTraced(c, c.config());
        assertEquals(c.f32Iterations(), r.iterations(), "iterations");
        Matrix ref = c.f32("energy");
        assertEquals(ref.rows, r.trace().energy().length);
        int finiteRows = 0;
        double maxRel = 0;
        for (int k = 0; k < ref.rows; k++) {
            double[] got = r.trace().energy()[k].toArray();
            double total = ref.get(k, 0);
            if (Double.isFinite(total)) {
                finiteRows++;
                for (int j = 0; j < 5; j++) {
                    double d = Math.abs(got[j] - ref.get(k, j)) / Math.max(Math.abs(ref.get(k, j)), 1e-3);
                    maxRel = Math.max(maxRel, d);
                    assertTrue(d <= 1e-5, "energy[" + k + "][" + j + "] " + got[j] + " vs " + ref.get(k, j));
                }
            } else {
                assertEquals(Double.POSITIVE_INFINITY, got[0], "energy[" + k + "] overflows in float32 as in the reference");
            }
        }
        assertTrue(ref.get(100, 0) > 1e36, "the fixture diverges");
        System.out.printf("case 2b: iterations %d, %d finite energy rows (reference overflows from row %d),"
                + " max rel %.3g%n", r.iterations(), finiteRows, finiteRows, maxRel);
    }

    /** The first steps, against the pure-double reference (linear) and the float32 reference (NL). */
    @Test
    void firstIterationsMatchTheReferenceCodes() {
        GoldenCases lin = GoldenCases.linearVdl();
        GoldenCases nl = GoldenCases.nonlinearVdlNl();
        for (int k : new int[] {1, 3}) {
            // Trajectories do not depend on K before the last iteration, so K = k gives the codes after iteration k.
            assertCodesClose(lin, k, Golden.matrix("fista_linear_vdl_f64_Z_iter" + k), 1e-6);
            assertCodesClose(nl, k, Golden.matrix("fista_nl_vdlnl_f32_Z_iter" + k), 1e-6);
        }
    }

    private static void assertCodesClose(GoldenCases c, int k, Matrix ref, double tol) {
        Fista fista = new Fista(new ScalarOps(), c.decoder(), c.batchSize(), c.config().withMaxInferenceSteps(k));
        FistaResult r = fista.solve(c.y(), c.e());
        assertEquals(k, r.iterations());
        double d = 0;
        for (int i = 0; i < ref.data.length; i++) {
            d = Math.max(d, Math.abs(ref.data[i] - r.codes().data[i]));
        }
        System.out.printf("%s after %d iterations: max |ΔZ| %.3g%n", c.name(), k, d);
        assertTrue(d <= tol, c.name() + " Z_iter" + k + ": max |ΔZ| " + d);
    }
}
