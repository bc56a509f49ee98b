package org.varsparse.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.varsparse.backend.Backends;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Auto with TornadoVM present: the device when it is not a CPU, else the CPU backend (here, PoCL is a CPU device);
 * a misspelt {@code -Dvarsparse.tornado.*} setting is an error either way, not a silent fallback (GroupKernelsTest).
 */
class AutoBackendTest {
    private static boolean defaultDeviceIsCpu() {
        return TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice().getDeviceType() == TornadoDeviceType.CPU;
    }

    @Test
    void autoTakesTheDeviceUnlessItIsACpu() {
        String picked = Backends.create("auto").name();
        if (defaultDeviceIsCpu()) {
            assertNotEquals("tornado", picked);
            assertEquals(Backends.createCpu().name(), picked);
        } else {
            assertEquals("tornado", picked);
        }
    }
}
