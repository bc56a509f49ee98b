package org.varsparse.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.varsparse.backend.Backends;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.TensorOps;

/**
 * FISTA on every CPU backend against the scalar oracle and the reference fixtures. A backend may sum in
 * another order, so stop decisions with tiny margins (case 1, sample 137) may go either way; see
 * {@link FixtureCheck}.
 */
class FistaBackendTest {

    private static TensorOps backend(String name) {
        if (name.equals("simd")) {
            try {
                Class.forName("org.varsparse.backend.simd.SimdOps");
            } catch (ClassNotFoundException e) {
                assumeTrue(false, "the simd backend is not in this build");
            }
            String why = Backends.simdUnavailableReason();
            assumeTrue(why == null, "simd backend unavailable: " + why);
        }
        return Backends.create(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void linearVdlMatchesTheOracleAndTheReference(String name) {
        check(name, GoldenCases.linearVdl(), 1e-4, 1e-5, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void nonlinearVdlNlMatchesTheOracleAndTheReference(String name) {
        check(name, GoldenCases.nonlinearVdlNl(), 1e-5, 1e-6, 0);
    }

    private static void check(String name, GoldenCases c, double codesTol, double energyTol, int maxFlips) {
        TensorOps ops = backend(name);
        Fista fista = new Fista(ops, c.decoder(), c.batchSize(), c.config());
        fista.setRecordTrace(true);
        FistaResult r = fista.solve(c.y(), c.e());
        FixtureCheck.assertMatches(c.name() + " on " + ops.name(), c, r, codesTol, energyTol, maxFlips);

        FistaResult oracle = new Fista(new ScalarOps(), c.decoder(), c.batchSize(), c.config()).solve(c.y(), c.e());
        assertEquals(oracle.iterations(), r.iterations(), "iterations vs the scalar oracle");
        int l = c.e().cols;
        double maxAbs = 0, diff = 0;
        for (int i = 0; i < c.batchSize(); i++) {
            if (Math.abs(oracle.steps()[i] - r.steps()[i]) > 1) {
                throw new AssertionError("sample " + i + ": steps " + r.steps()[i] + " vs oracle " + oracle.steps()[i]);
            }
            boolean flipped = oracle.steps()[i] != r.steps()[i];
            for (int j = 0; j < l; j++) {
                float o = oracle.codes().get(i, j);
                maxAbs = Math.max(maxAbs, Math.abs(o));
                if (!flipped) {
                    diff = Math.max(diff, Math.abs(o - r.codes().get(i, j)));
                }
            }
        }
        System.out.printf("%s on %s vs scalar: max |ΔZ| %.3g%n", c.name(), ops.name(), diff);
        assertTrue(diff <= codesTol * maxAbs, "codes differ from the scalar oracle by " + diff);
    }
}
