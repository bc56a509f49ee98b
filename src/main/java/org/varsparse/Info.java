package org.varsparse;

import org.varsparse.backend.Backends;

/** Prints the JDK, the CPU backends and the vector width: what {@code ./run.sh info} shows. */
public final class Info {
    private Info() {
    }

    public static void main(String[] args) {
        System.out.println("varsparse");
        System.out.println("  JDK:          " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("  cores:        " + Runtime.getRuntime().availableProcessors());
        String why = Backends.simdUnavailableReason();
        System.out.println("  simd:         " + (why == null ? "available, " + Backends.simdVectorBits() + "-bit float vectors" : "unavailable: " + why));
        String tornado = Backends.tornadoDevices();
        System.out.println("  tornado:      " + (tornado == null ? "unavailable: " + Backends.tornadoUnavailableReason() : tornado));
        System.out.println("  selected:     " + Backends.describe(Backends.get()));
    }
}
