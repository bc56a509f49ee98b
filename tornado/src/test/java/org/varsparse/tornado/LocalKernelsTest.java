package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.varsparse.tornado.TornadoTestSupport.golden;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.varsparse.tornado.check.Check;
import org.varsparse.tornado.check.FistaChecks;
import org.varsparse.tornado.check.KernelChecks;

/**
 * The local-memory tiled {@code KernelContext} kernels ({@link KernelVariant#LOCAL}) on the device (PoCL here):
 * against the scalar oracle, against the plain kernels on the same device, the done-flag no-op, and golden FISTA
 * cases 1 and 2. Unlike the tiled kernels these cannot be checked as plain Java (a sequential run has one
 * work-item and no real local memory), so every comparison is of device results. On PoCL local = plain must hold
 * bit for bit (one OpenCL compiler, the same summation order); elsewhere within 1e-5 (FMA contraction may differ).
 * NL at B = 61 with the local kernels: {@code FistaGraphTest.nlBatchNotAMultipleOfTheWorkGroup} (every variant).
 */
class LocalKernelsTest {
    /**
     * m, n, k: each of 1, 3, 5, 7, 17, 33, 100 in every position (7 cyclic shifts; each kernel compiles per shape,
     * about 1 s on PoCL, so not the full product), one output block exactly (64 × 64 × 16), and shapes larger than
     * one block and one k tile in every dimension with ragged edges.
     */
    private static final int[][] SWEEP = {{1, 5, 17}, {3, 7, 33}, {5, 17, 100}, {7, 33, 1}, {17, 100, 3}, {33, 1, 5},
            {100, 3, 7}, {64, 64, 16}, {70, 130, 40}, {65, 129, 33}};
    /** Decoder sizes (B, l, H, P) for local vs plain: all-edge, ragged, and more than one block everywhere. */
    private static final int[][] DECODER = {{5, 3, 7, 11}, {33, 17, 100, 7}, {70, 65, 130, 100}};

    @Test
    void localGemmsMatchTheScalarOracle() {
        TornadoOps local = TornadoTestSupport.localOps();
        assertEquals(KernelVariant.LOCAL, local.kernels());
        KernelsTest.assertAll(KernelChecks.gemms(local));
    }

    @Test
    void localDecoderKernelsMatchTheScalarOracle() throws Exception {
        TornadoTestSupport.ops();
        KernelsTest.assertAll(KernelChecks.decoderGradients(KernelVariant.LOCAL));
    }

    @Test
    void localGemmEqualsThePlainKernelsOnAwkwardSizes() throws Exception {
        boolean exact = TornadoTestSupport.onPocl();
        KernelsTest.assertAll(KernelChecks.localGemmsVsPlain(SWEEP, exact));
    }

    @Test
    void localDecoderKernelsEqualThePlainKernels() throws Exception {
        boolean exact = TornadoTestSupport.onPocl();
        List<Check> checks = new ArrayList<>();
        for (int[] s : DECODER) {
            checks.addAll(KernelChecks.localDecoderVsPlain(s[0], s[1], s[2], s[3], exact));
        }
        KernelsTest.assertAll(checks);
    }

    @Test
    void localDecoderKernelsAreNoOpsOnceDone() throws Exception {
        TornadoTestSupport.ops();
        KernelsTest.assertAll(List.of(KernelChecks.nlKernelsAreNoOpsOnceDone(KernelVariant.LOCAL)));
    }

    /** Golden case 1 (local WᵀW and Y·W in the batch graph) and case 2 (the local NL step) against CPU Fista. */
    @Test
    void case1LinearVdlLocalKernels() throws Exception {
        KernelsTest.assertAll(FistaChecks.check(golden(0), KernelVariant.LOCAL));
    }

    @Test
    void case2OneHiddenLayerVdlNlLocalKernels() throws Exception {
        KernelsTest.assertAll(FistaChecks.check(golden(1), KernelVariant.LOCAL));
    }


    /** -Dvarsparse.tornado.kernels=local selects the local kernels for the GEMM plans and the FISTA solvers. */
    @Test
    void kernelsPropertySelectsLocal() {
        String old = System.getProperty(KernelVariant.PROPERTY);
        try {
            System.setProperty(KernelVariant.PROPERTY, "local");
            assertEquals(KernelVariant.LOCAL, KernelVariant.fromProperty());
            assertEquals(KernelVariant.LOCAL, TornadoOps.create().kernels());
        } finally {
            if (old == null) {
                System.clearProperty(KernelVariant.PROPERTY);
            } else {
                System.setProperty(KernelVariant.PROPERTY, old);
            }
        }
    }
}
