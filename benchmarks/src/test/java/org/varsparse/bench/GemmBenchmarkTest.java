package org.varsparse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.tensor.Matrix;

/** Every benchmarked variant (backend × threads) computes the scalar oracle's product on its own inputs. */
class GemmBenchmarkTest {

    @ParameterizedTest
    @EnumSource(GemmShape.class)
    void everyVariantMatchesTheScalarOracle(GemmShape shape) {
        Matrix expected = null;
        for (String backend : new String[] {"scalar", "simd"}) {
            for (int threads : new int[] {1, 2}) {
                GemmBenchmark bench = new GemmBenchmark();
                bench.backend = backend;
                bench.threads = threads;
                bench.shape = shape;
                bench.setup();
                assertEquals(backend, bench.ops.name());
                if (expected == null) {
                    expected = new Matrix(shape.m, shape.n);
                    shape.multiply(new ScalarOps(), bench.a, bench.b, expected);
                }
                Matrix c = bench.gemm();
                // |error| of a k-term float dot product of entries in [-1, 1) stays far below 1e-6·k (seen: 30 to 500 times below).
                double tol = 1e-6 * shape.k, worst = 0;
                for (int i = 0; i < c.size(); i++) {
                    double d = Math.abs(c.data[i] - expected.data[i]);
                    if (!(d <= tol)) {
                        fail(shape + " " + backend + " threads=" + threads + ": C[" + i + "] = " + c.data[i]
                                + ", oracle " + expected.data[i]);
                    }
                    worst = Math.max(worst, d);
                }
                System.out.printf("%s %s threads=%d: max |diff| %.3g (tolerance %.3g)%n", shape, backend, threads, worst, tol);
            }
        }
    }
}
