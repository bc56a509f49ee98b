package org.varsparse.cli;

import java.util.List;
import org.varsparse.model.Decoder;
import org.varsparse.tensor.Matrix;

/**
 * The run's PNG pictures (METHOD.md §4.5): the dictionary atoms (W columns for the linear dictionary, W2 columns
 * for the NL decoder), test inputs against their reconstructions D(E(y)), and the training curves (validation
 * PSNR, sparsity and energy per epoch).
 */
final class Pictures {
    private Pictures() {
    }

    /**
     * Writes the pictures into {@code run.pictures()} and returns their names, or an empty list with the reason
     * in {@code why[0]}.
     */
    static List<String> write(RunDir run, Decoder decoder, Matrix inputs, Matrix reconstructions, String[] why) {
        // VIZ CALL SITE: the single place where org.varsparse.viz (AtomGrid, ImageGrid, TrainingCurves) is to be
        // called once that package is merged into main; until then no picture is written.
        why[0] = "none yet: the picture package (org.varsparse.viz) is not in this build";
        return List.of();
    }
}
