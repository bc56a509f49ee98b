package org.varsparse.tornado;

import java.util.Locale;

/**
 * Which GEMM kernels the device plans use ({@code -Dvarsparse.tornado.kernels=plain|tiled}, default plain): the
 * one-work-item-per-output loops ({@link GemmKernels#matmulNN} …, {@link FistaKernels#hiddenForward} …) or their
 * register-tiled versions ({@link GemmKernels#matmulTiled}, {@link FistaKernels#hiddenForwardTiled} …: 4 × 4
 * outputs per work-item). Both give the same floats: every output is one float accumulation over p = 0..k−1 in
 * increasing order. The default stays plain until the tiled kernels have been timed on a GPU.
 */
public enum KernelVariant {
    PLAIN, TILED;

    public static final String PROPERTY = "varsparse.tornado.kernels";

    /** The variant {@link #PROPERTY} names (plain when unset); any other value is an error. */
    public static KernelVariant fromProperty() {
        String v = System.getProperty(PROPERTY, "plain").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "plain" -> PLAIN;
            case "tiled" -> TILED;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + v + ": use plain or tiled");
        };
    }

    /** "plain" or "tiled", as the property spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
