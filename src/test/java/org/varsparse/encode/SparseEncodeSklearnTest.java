package org.varsparse.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.varsparse.backend.Backends;
import org.varsparse.estimators.SparseCoder;
import org.varsparse.io.Npy;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * The encoders against scikit-learn 1.2.1 {@code sparse_encode} (float64) on the fixed float32 inputs made by
 * scripts/make_sklearn_fixtures.py (src/test/resources/sklearn). Prints, per case, max |Δcode| and the
 * difference of the summed objective ½‖x − zD‖² + α‖z‖₁ (α = 0 for OMP).
 */
class SparseEncodeSklearnTest {
    private static final TensorOps OPS = Backends.get();

    static Path dir() {
        try {
            return Path.of(SparseEncodeSklearnTest.class.getResource("/sklearn/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> cases() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(dir().resolve("manifest.json").toFile()).get("cases").forEach(out::add);
        return out;
    }

    static Matrix load(String name) throws IOException {
        return Npy.read(dir().resolve(name + ".npy")).toMatrix();
    }

    static double sum(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s;
    }

    static double maxAbsDiff(Matrix a, Matrix b) {
        assertEquals(a.shape(), b.shape());
        double m = 0;
        for (int i = 0; i < a.data.length; i++) {
            m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesSklearnSparseEncode(JsonNode c) throws IOException {
        Matrix x = load("X"); // (12×16)
        Matrix d = load("dictionary"); // (24×16)
        Matrix want = load(c.get("name").asText()); // (12×24), sklearn 1.2.1 float64 rounded to float32
        String algo = c.get("algorithm").asText();
        double alpha = c.path("alpha").asDouble(0);
        boolean positive = c.path("positive").asBoolean(false);
        Matrix got = switch (algo) {
            case "omp" -> SparseEncode.omp(OPS, x, d, c.get("n_nonzero_coefs").asInt()).codes();
            case "lasso_cd" -> SparseEncode.lassoCd(OPS, x, d, alpha, positive, 1000, 1e-4).codes();
            case "threshold" -> SparseEncode.threshold(OPS, x, d, alpha, positive);
            default -> throw new AssertionError(algo);
        };
        double objGot = sum(SparseEncode.lassoObjective(x, d, got, alpha));
        double objWant = sum(SparseEncode.lassoObjective(x, d, want, alpha));
        double dCode = maxAbsDiff(got, want);
        System.out.printf(Locale.ROOT, "sklearn %-20s max|Δcode| %.3e  objective java %.9f sklearn %.9f |Δ| %.3e%n",
                c.get("name").asText(), dCode, objGot, objWant, Math.abs(objGot - objWant));
        // the Java objective also agrees with the one sklearn's script computed in float64
        assertEquals(c.get("objective").asDouble(), objWant, 1e-5 * (1 + objWant), "fixture objective");
        switch (algo) {
            case "omp", "threshold" -> { // the same finite computation: float32 rounding only
                assertTrue(dCode < 2e-5, "max |Δcode| " + dCode);
                assertTrue(Math.abs(objGot - objWant) < 1e-5 * (1 + objWant), "objective");
                for (int i = 0; i < got.data.length; i++) {
                    assertEquals(want.data[i] == 0, got.data[i] == 0, "support differs at " + i);
                }
            }
            default -> { // the same sweeps and duality-gap stop as sklearn's lasso_cd: float32 inputs only
                assertTrue(dCode < 2e-5, "max |Δcode| " + dCode);
                assertTrue(Math.abs(objGot - objWant) < 1e-7 * objWant, "objective");
            }
        }
    }

    /**
     * The reference's units: FISTA (positive, β = 0, no encoder) with λ = 2α/P minimises the same objective as
     * sklearn's positive lasso with α, so it reaches sklearn's objective (and codes) given enough iterations.
     */
    @Test
    void fistaWithLambdaTwoAlphaOverPReachesTheSklearnLasso() throws IOException {
        Matrix x = load("X");
        Matrix d = load("dictionary");
        Matrix want = load("lasso_cd_a0.1_pos");
        for (SparseCoder.Algorithm a : List.of(SparseCoder.Algorithm.FISTA, SparseCoder.Algorithm.ISTA)) {
            SparseCoder coder = SparseCoder.builder(d).algorithm(a).sparsityReg(2 * 0.1 / d.cols).maxIter(5000)
                    .tol(0).build();
            assertEquals(0.1, coder.alpha(), 1e-12);
            Matrix got = coder.transform(x);
            double objGot = sum(SparseEncode.lassoObjective(x, d, got, 0.1));
            double objWant = sum(SparseEncode.lassoObjective(x, d, want, 0.1));
            double dCode = maxAbsDiff(got, want);
            System.out.printf(Locale.ROOT, "sklearn lasso_cd_a0.1_pos vs %-5s max|Δcode| %.3e  |Δobjective| %.3e%n",
                    a, dCode, Math.abs(objGot - objWant));
            assertTrue(dCode < 2e-3, a + " max |Δcode| " + dCode);
            assertTrue(Math.abs(objGot - objWant) < 1e-4 * objWant, a + " objective " + objGot + " vs " + objWant);
        }
    }
}
