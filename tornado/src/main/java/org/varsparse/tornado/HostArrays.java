package org.varsparse.tornado;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Keeps the host arrays handed to TornadoVM reachable until the JVM exits, on the PTX backend.
 *
 * <p>Why (a workaround, from TornadoVM 5.2.1's PTX driver source; not yet confirmed on a GPU): the PTX backend
 * page-locks the host memory of every array that gets a device buffer ({@code cuMemHostRegister}) and unpins it only
 * when that buffer is freed, which {@code TornadoExecutionPlan.close()} does for the last selected graph's transfer
 * objects only. A {@code FloatArray}'s memory is freed by the garbage collector once unreachable; malloc then hands
 * the same addresses to new arrays, and a copy over a range that is partly such a stale pin fails with
 * CUDA_ERROR_INVALID_VALUE ({@code cuMemcpyHtoDAsyncMemSeg -> Returned: 1}, seen on an H200 after earlier plans had
 * been closed, with garbage codes), while one wholly inside it may move stale pages. Memory that is never freed
 * cannot be reused. The cost is the host copy of every plan ever built (solvers are cached per shape, so a training
 * run builds a few). OpenCL does not pin host memory: nothing is kept there.
 */
public final class HostArrays {
    private static final List<Object> KEPT = new ArrayList<>();
    private static Boolean pinning;

    private HostArrays() {
    }

    /** Keeps {@code arrays} reachable for the JVM's life when the default device is a PTX device; returns nothing. */
    public static synchronized void keep(Object... arrays) {
        if (pinning == null) {
            pinning = TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice().getTornadoVMBackend()
                    == TornadoVMBackendType.PTX;
        }
        if (pinning) {
            KEPT.addAll(List.of(arrays));
        }
    }

    /** How many arrays are kept (0 off PTX). */
    public static synchronized int kept() {
        return KEPT.size();
    }
}
