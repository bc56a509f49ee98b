package org.varsparse.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Peak Java heap use, from the memory pool beans: the sum of each heap pool's peak (eden, survivor, old), an
 * upper bound of the heap ever in use at once (the pools peak at different moments), garbage included.
 */
final class HeapMeter {
    private HeapMeter() {
    }

    /** Starts the peaks over (at the start of a command). */
    static void reset() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                p.resetPeakUsage();
            }
        }
    }

    static long peakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid() && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** The heap the JVM may use (a little under -Xmx: the collector keeps a survivor space aside). */
    static long maxBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    /** "peak of max MiB (-Xmx1g)": the peak, the usable heap and the -Xmx flag when one was given. */
    static String describePeak() {
        String xmx = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).reduce((a, b) -> b).orElse("no -Xmx");
        return mib(peakBytes()) + " of " + mib(maxBytes()) + " usable (" + xmx + ")";
    }

    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
