package org.varsparse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.varsparse.eval.Metrics;
import org.varsparse.io.FileIo;
import org.varsparse.model.Decoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.viz.AtomGrid;
import org.varsparse.viz.ImageGrid;
import org.varsparse.viz.TrainingCurves;

/**
 * The run's PNG pictures (METHOD.md §4.5), in {@code pictures/}: {@code atoms.png} the dictionary elements (W
 * columns for the linear dictionary, W2 columns for the NL decoder, each scaled by its own max), {@code
 * reconstructions.png} test inputs over D(E(y)), {@code denoising.png} clean / noisy / D(E(y_noisy)), and {@code
 * curves.png} validation PSNR, sparsity and energy per epoch (training PSNR too).
 */
final class Pictures {
    private Pictures() {
    }

    /**
     * Writes the pictures and returns their file names. inputs, reconstructions, noisy and denoised: (n×P) test
     * images in normalized units (LCN patches dewhitened); metrics: the lines of metrics.jsonl; norm: back to [0,1].
     */
    static List<String> write(RunDir run, String title, Decoder decoder, Matrix inputs, Matrix reconstructions,
                              Matrix noisy, Matrix denoised, List<JsonNode> metrics, Metrics.Normalization norm) {
        Path dir = run.pictures();
        List<String> names = new ArrayList<>();
        Path current = dir;
        try {
            Files.createDirectories(dir);
            current = dir.resolve("atoms.png");
            AtomGrid.write(current, decoder, AtomGrid.Scaling.EACH);
            names.add("atoms.png");
            current = dir.resolve("reconstructions.png");
            ImageGrid.writePairs(current, inputs, reconstructions, norm);
            names.add("reconstructions.png");
            current = dir.resolve("denoising.png");
            ImageGrid.writeTriples(current, inputs, noisy, denoised, norm);
            names.add("denoising.png");
            current = dir.resolve("curves.png");
            TrainingCurves.write(current, title, series(metrics, "val_psnr", 1), series(metrics, "train_psnr", 1),
                    series(metrics, "val_sparsity", 100), series(metrics, "val_energy", 1));
            names.add("curves.png");
        } catch (IOException e) {
            throw FileIo.writeFailure(current, e);
        }
        return names;
    }

    /** Clean / noisy / denoised rows into one PNG (normalized units; {@code norm} maps back to [0,1]). */
    static void triples(Path file, Matrix clean, Matrix noisy, Matrix denoised, Metrics.Normalization norm) {
        try {
            ImageGrid.writeTriples(file, clean, noisy, denoised, norm);
        } catch (IOException e) {
            throw FileIo.writeFailure(file, e);
        }
    }

    /** epoch → scale·value of one metrics.jsonl field (null values are left out). */
    private static Map<Integer, Double> series(List<JsonNode> metrics, String field, double scale) {
        Map<Integer, Double> m = new TreeMap<>();
        for (JsonNode n : metrics) {
            JsonNode v = n.get(field);
            if (v != null && v.isNumber()) {
                m.put(n.get("epoch").asInt(), scale * v.asDouble());
            }
        }
        return m;
    }
}
