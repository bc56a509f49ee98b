package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.varsparse.tornado.TornadoTestSupport.golden;

import org.junit.jupiter.api.Test;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.inference.CodeSolver;
import org.varsparse.inference.Fista;
import org.varsparse.inference.FistaConfig;
import org.varsparse.inference.FistaResult;
import org.varsparse.tensor.Matrix;
import org.varsparse.tornado.check.FistaChecks;

/**
 * The whole-solve device FISTA graph against CPU Fista (scalar oracle) and the reference's float32 codes on the
 * golden batches (cases 1, 2, 3); see {@link FistaChecks} for the tolerances and why case 1 allows ±1 iteration.
 */
class FistaGraphTest {


    @Test
    void case1LinearVdl() throws Exception {
        KernelsTest.assertAll(FistaChecks.check(golden(0), KernelVariant.PLAIN));
    }

    @Test
    void case2OneHiddenLayerVdlNl() throws Exception {
        KernelsTest.assertAll(FistaChecks.check(golden(1), KernelVariant.PLAIN));
    }

    @Test
    void case3LinearSdl() throws Exception {
        KernelsTest.assertAll(FistaChecks.check(golden(2), KernelVariant.PLAIN));
    }

    /** The tiled kernels give the plain kernels' codes: case 1 (tiled WᵀW and Y·W), case 2 (the tiled NL step). */
    @Test
    void case1LinearVdlTiledKernels() throws Exception {
        KernelsTest.assertAll(FistaChecks.check(golden(0), KernelVariant.TILED));
    }

    @Test
    void case2OneHiddenLayerVdlNlTiledKernels() throws Exception {
        KernelsTest.assertAll(FistaChecks.check(golden(1), KernelVariant.TILED));
    }

    /**
     * NL at B = 61, not a multiple of the OpenCL NL work-group's 8 rows (the plain kernels' grid must then be exact,
     * see TornadoFista.grid), K = 40, every kernel variant with both step variants, against CPU Fista: same iterations, codes within 1e-4.
     */
    @Test
    void nlBatchNotAMultipleOfTheWorkGroup() throws Exception {
        FistaChecks.Case c = golden(1);
        int b = 61;
        Matrix y = c.y().rowSlice(0, b), e = c.e().rowSlice(0, b);
        FistaResult want = new Fista(new ScalarOps(), c.decoder(), b, c.config().withMaxInferenceSteps(40)).solve(y, e);
        for (KernelVariant k : KernelVariant.values()) {
            for (StepVariant s : StepVariant.values()) {
                String what = k.label() + "/" + s.label();
                try (TornadoFista dev = new TornadoFista(c.decoder(), b, c.config().withMaxInferenceSteps(40),
                        TornadoFista.DEFAULT_CHECK_EVERY, k, s)) {
                    FistaResult got = dev.solve(y, e, new Matrix(b, c.decoder().codeDim()));
                    double d = TornadoTestSupport.maxCodeDiff(want, got);
                    System.out.printf("NL B %d, %s kernels: %d iterations, max |ΔZ| %.3g%n", b, what, got.iterations(),
                            d);
                    assertEquals(want.iterations(), got.iterations(), what);
                    assertEquals(0, d, 1e-4, what);
                }
            }
        }
    }

    /**
     * The host reads the done flag after 1, 2, 4, 8 launches, then every 8: a solve of K = 3 iterations launches the
     * step graph 4 times (not 8), one of K = 13 launches it 16 times; both equal CPU solves.
     */
    @Test
    void doneFlagIsReadEarlyThenEveryCheckInterval() throws Exception {
        int[] want = {1, 2, 4, 8, 16, 24};
        int launched = 0;
        for (int w : want) {
            launched = TornadoFista.nextCheck(launched, 8);
            assertEquals(w, launched);
        }
        assertEquals(3, TornadoFista.nextCheck(2, 3));
        assertEquals(2, TornadoFista.nextCheck(1, 1));
        FistaChecks.Case c = golden(0);
        try (TornadoFista dev = new TornadoFista(c.decoder(), 250, c.config())) {
            for (int[] kl : new int[][] {{3, 4}, {13, 16}}) {
                dev.setConfig(c.config().withMaxInferenceSteps(kl[0]));
                long before = dev.launches();
                FistaResult got = dev.solve(c.y(), c.e(), new Matrix(250, 128));
                FistaResult cpu = new Fista(new ScalarOps(), c.decoder(), 250, dev.config()).solve(c.y(), c.e());
                assertEquals(kl[0], got.iterations());
                assertEquals(kl[1], dev.launches() - before, "K " + kl[0]);
                assertArrayEquals(cpu.steps(), got.steps(), "K " + kl[0]);
            }
        }
    }

    /**
     * Several iterations per step launch (unroll 3): the same iterations, per-row steps and codes as CPU FISTA on a
     * linear and an NL golden case, with both step variants; K = 13 takes 8 launches (checks after 1, 2, 4, 8
     * launches = 3, 6, 12, 24 iterations).
     */
    @Test
    void unrolledStepGraphEqualsCpuFista() throws Exception {
        for (int index : new int[] {0, 1}) {
            FistaChecks.Case c = golden(index);
            int b = c.y().rows;
            FistaConfig cfg = c.config().withMaxInferenceSteps(index == 0 ? 13 : 40);
            FistaResult want = new Fista(new ScalarOps(), c.decoder(), b, cfg).solve(c.y(), c.e());
            for (StepVariant s : StepVariant.values()) {
                try (TornadoFista dev = new TornadoFista(c.decoder(), b, cfg, TornadoFista.DEFAULT_CHECK_EVERY,
                        KernelVariant.PLAIN, s, 3)) {
                    FistaResult got = dev.solve(c.y(), c.e(), new Matrix(b, c.decoder().codeDim()));
                    double d = TornadoTestSupport.maxCodeDiff(want, got);
                    String what = c.name() + ", " + s.label() + ", unroll 3";
                    System.out.printf("%s: %d iterations in %d launches, max |ΔZ| %.3g%n", what, got.iterations(),
                            dev.launches(), d);
                    assertEquals(want.iterations(), got.iterations(), what);
                    assertArrayEquals(want.steps(), got.steps(), what);
                    assertEquals(0, d, 1e-4, what);
                    if (index == 0) {
                        assertEquals(8, dev.launches(), what);
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new TornadoFista(golden(0).decoder(), 250,
                golden(0).config(), 8, KernelVariant.PLAIN, StepVariant.LOOPS, 0));
    }

    /**
     * The tiled kernels with the grid ordered for a GPU (inner loop's extent on dimension 0, which TornadoVM gives the
     * inner loop there), forced on PoCL where dimension 0 is the outer loop: the loops stride by the grid, so the
     * codes must still equal CPU FISTA (NL, B = 61 and 64, OpenCL only: PTX keeps the default launch for them).
     */
    @Test
    void tiledKernelsWithTheGpuGridOrderEqualCpuFista() throws Exception {
        String old = System.getProperty("varsparse.tornado.innerFirst");
        System.setProperty("varsparse.tornado.innerFirst", "true");
        try {
            FistaChecks.Case c = golden(1);
            for (int b : new int[] {61, 64}) {
                Matrix y = c.y().rowSlice(0, b), e = c.e().rowSlice(0, b);
                FistaConfig cfg = c.config().withMaxInferenceSteps(30);
                FistaResult want = new Fista(new ScalarOps(), c.decoder(), b, cfg).solve(y, e);
                try (TornadoFista dev = new TornadoFista(c.decoder(), b, cfg, TornadoFista.DEFAULT_CHECK_EVERY,
                        KernelVariant.TILED, StepVariant.LOOPS)) {
                    FistaResult got = dev.solve(y, e, new Matrix(b, c.decoder().codeDim()));
                    double d = TornadoTestSupport.maxCodeDiff(want, got);
                    System.out.printf("NL B %d, tiled, GPU grid order: %d iterations, max |ΔZ| %.3g%n", b,
                            got.iterations(), d);
                    assertEquals(want.iterations(), got.iterations());
                    assertEquals(0, d, 1e-4);
                }
            }
        } finally {
            if (old == null) {
                System.clearProperty("varsparse.tornado.innerFirst");
            } else {
                System.setProperty("varsparse.tornado.innerFirst", old);
            }
        }
    }

    /** -Dvarsparse.tornado.kernels picks the kernels of the solvers and GEMM plans (default plain); typos fail. */
    @Test
    void kernelsPropertySelectsTheVariant() throws Exception {
        FistaChecks.Case c = golden(1);
        String old = System.getProperty(KernelVariant.PROPERTY);
        try {
            System.clearProperty(KernelVariant.PROPERTY);
            assertEquals(KernelVariant.PLAIN, KernelVariant.fromProperty());
            System.setProperty(KernelVariant.PROPERTY, "tiled");
            try (TornadoFista dev = new TornadoFista(c.decoder(), 64, c.config())) {
                assertEquals(KernelVariant.TILED, dev.kernels());
            }
            TornadoOps ops = TornadoOps.create();
            assertEquals(KernelVariant.TILED, ops.kernels());
            try (TornadoFista dev = (TornadoFista) ops.codeSolver(c.decoder(), 64, c.config())) {
                assertEquals(KernelVariant.TILED, dev.kernels());
            }
            System.setProperty(KernelVariant.PROPERTY, "tiles");
            assertThrows(IllegalArgumentException.class, KernelVariant::fromProperty);
        } finally {
            if (old == null) {
                System.clearProperty(KernelVariant.PROPERTY);
            } else {
                System.setProperty(KernelVariant.PROPERTY, old);
            }
        }
    }

    /**
     * One plan serves many batches and configs: a second batch after the first, a capped K (the chunked launches
     * must stop exactly at K) and K = 0 equal fresh CPU solves; the backend hands out the device solver.
     */
    @Test
    void planIsReusedAcrossBatchesAndConfigs() throws Exception {
        FistaChecks.Case c = golden(2);
        CodeSolver s = TornadoTestSupport.ops().codeSolver(c.decoder(), 250, c.config());
        assertEquals(TornadoFista.class, s.getClass());
        TornadoFista dev = (TornadoFista) s;
        Matrix y2 = c.y().copy();
        for (int i = 0; i < y2.data.length; i++) {
            y2.data[i] *= 0.5f;
        }
        for (int k : new int[] {200, 13, 0}) {
            dev.setConfig(c.config().withMaxInferenceSteps(k));
            for (Matrix y : new Matrix[] {c.y(), y2}) {
                FistaResult want = new Fista(new ScalarOps(), c.decoder(), 250, dev.config()).solve(y, c.e());
                FistaResult got = dev.solve(y, c.e(), new Matrix(250, 128));
                assertEquals(want.iterations(), got.iterations(), "K " + k);
                double d = TornadoTestSupport.maxCodeDiff(want, got);
                System.out.printf("K %d, scale %s: %d iterations, max |ΔZ| %.3g%n", k, y == y2 ? "0.5" : "1", got.iterations(), d);
                assertEquals(0, d, 1e-4, "K " + k);
            }
        }
        dev.close();
        assertThrows(IllegalArgumentException.class, () -> new TornadoFista(c.decoder(), 250,
                c.config().withFreezeConverged(true)));
    }

}
