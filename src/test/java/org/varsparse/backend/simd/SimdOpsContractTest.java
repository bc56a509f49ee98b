package org.varsparse.backend.simd;

import org.varsparse.backend.TensorOpsContractTest;
import org.varsparse.tensor.TensorOps;

/** The Vector API backend with two workers (so the threaded GEMM paths run) against the scalar oracle. */
class SimdOpsContractTest extends TensorOpsContractTest {
    private static final SimdOps OPS = new SimdOps(2);

    @Override
    protected TensorOps ops() {
        return OPS;
    }

    /** GEMMs differ from the oracle only by fma vs multiply-then-add rounding and the threads do not matter. */
    @Override
    protected double relTol() {
        return 1e-5;
    }
}
