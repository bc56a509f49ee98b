package org.varsparse.tornado;

import java.util.Locale;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

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

    /**
     * Adds this variant's four NL step kernels to {@code g} as tasks "hidden", "residual", "hiddenGrad", "grad"
     * (the gradient of the decoder loss at aux): hid = relu(aux·W1ᵀ + b1), res = (2/P)(hid·W2ᵀ − y),
     * hidGrad = (res·W2) ⊙ 1[hid > 0], grad = hidGrad·W1. Shapes: aux (B×l), w1t (l×H), b1 (H), hid (B×H), w2t (H×P),
     * y and res (B×P), w2 (P×H), hidGrad (B×H), w1 (H×l), grad (B×l).
     */
    public TaskGraph addNlStep(TaskGraph g, FloatArray aux, FloatArray w1t, FloatArray b1, FloatArray hid,
                               FloatArray w2t, FloatArray y, FloatArray res, FloatArray params, FloatArray w2,
                               FloatArray hidGrad, FloatArray w1, FloatArray grad, IntArray state, int b, int l, int h,
                               int p) {
        if (this == TILED) {
            return g.task("hidden", FistaKernels::hiddenForwardTiled, aux, w1t, b1, hid, state, b, h, l)
                    .task("residual", FistaKernels::residualTiled, hid, w2t, y, res, params, state, b, p, h)
                    .task("hiddenGrad", FistaKernels::hiddenBackwardTiled, res, w2, hid, hidGrad, state, b, h, p)
                    .task("grad", FistaKernels::codeGradientTiled, hidGrad, w1, grad, state, b, l, h);
        }
        return g.task("hidden", FistaKernels::hiddenForward, aux, w1t, b1, hid, state, b, h, l)
                .task("residual", FistaKernels::residual, hid, w2t, y, res, params, state, b, p, h)
                .task("hiddenGrad", FistaKernels::hiddenBackward, res, w2, hid, hidGrad, state, b, h, p)
                .task("grad", FistaKernels::codeGradient, hidGrad, w1, grad, state, b, l, h);
    }

    /** "plain" or "tiled", as the property spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
