package org.varsparse.train;

import static org.varsparse.train.TrainConfig.DecoderKind.LINEAR;
import static org.varsparse.train.TrainConfig.DecoderKind.ONE_HIDDEN;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.varsparse.train.TrainConfig.DecoderKind;

/**
 * The eight reference configurations (scripts/*.sh; METHOD.md §3.1–3.2): MNIST and natural-image patches
 * × SDL, SDL-NL, VDL, VDL-NL. The ImageNet SDL/VDL scripts name a decoder that does not exist
 * ("linear_decoder", METHOD.md §7.1); as recommended there, they use the linear dictionary.
 */
public enum Preset {
    //                      decoder     l    H     ep   λ      β   γ    η    lrD   lrE   anneal norm wdDbias wdEbias
    MNIST_SDL("mnist-sdl", LINEAR, 128, 0, 200, 0.005, 0, 1, 1.0, 1e-3, 3e-4, 0, true, 0, 0),
    MNIST_SDL_NL("mnist-sdl-nl", ONE_HIDDEN, 128, 1024, 200, 0.01, 0, 1, 1.0, 1e-3, 1e-4, 0, true, 0.001, 0),
    MNIST_VDL("mnist-vdl", LINEAR, 128, 0, 200, 0.02, 10, 5, 0.5, 3e-4, 1e-4, 0, false, 0, 0),
    MNIST_VDL_NL("mnist-vdl-nl", ONE_HIDDEN, 128, 1024, 200, 0.01, 10, 100, 0.5, 3e-4, 1e-4, 30, false, 0.001, 0),
    PATCH_SDL("patch-sdl", LINEAR, 256, 0, 100, 0.005, 0, 1, 0.5, 1e-3, 1e-4, 0, true, 0, 0.01),
    PATCH_SDL_NL("patch-sdl-nl", ONE_HIDDEN, 256, 2048, 100, 0.01, 0, 1, 0.5, 1e-3, 1e-4, 0, true, 0.01, 0.01),
    PATCH_VDL("patch-vdl", LINEAR, 256, 0, 100, 0.01, 10, 5, 0.5, 3e-4, 1e-4, 0, false, 0, 0.01),
    PATCH_VDL_NL("patch-vdl-nl", ONE_HIDDEN, 256, 2048, 100, 0.01, 10, 40, 0.5, 5e-5, 1e-4, 30, false, 0.1, 0.01);

    /** The name used on the command line, e.g. "mnist-vdl". */
    public final String cliName;
    private final TrainConfig config;

    Preset(String cliName, DecoderKind decoder, int codeDim, int hiddenDim, int epochs, double sparsityReg,
           double varianceReg, double codeReg, double codeStepSize, double lrDecoder, double lrEncoder,
           int annealEvery, boolean normDecoder, double wdDecoderBias, double wdEncoderBias) {
        this.cliName = cliName;
        // Common to all 8 scripts (METHOD.md §3.1): batch 250, K = 200, tol 1e-3, T = 0.5, T_L = 3,
        // weight_decay_D = weight_decay_E = 0, anneal factor 0.5, seed 31.
        this.config = new TrainConfig(cliName, decoder, codeDim, hiddenDim, epochs, 250, sparsityReg, varianceReg,
                0.5, codeReg, codeStepSize, 200, 1e-3, lrDecoder, lrEncoder, annealEvery, 0.5, normDecoder,
                0, wdDecoderBias, 0, wdEncoderBias, 3, 31);
    }

    public TrainConfig config() {
        return config;
    }

    /** The preset named {@code name} (its CLI name, case-insensitive). */
    public static Preset byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Preset p : values()) {
            if (p.cliName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "': choose one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(p -> p.cliName).collect(Collectors.joining(", "));
    }
}
