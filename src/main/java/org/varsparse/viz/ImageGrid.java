package org.varsparse.viz;

import org.varsparse.eval.Metrics.Normalization;
import org.varsparse.tensor.Matrix;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Images next to what the model made of them: inputs above their reconstructions, or clean / noisy / denoised for
 * the denoising pictures (METHOD §4.5, utils.log_viz).
 *
 * <p>Each batch (B×P, one model-space image per row) is mapped back to pixel space by the inverse normalization
 * x·std + mean (METHOD §4.1; float32) and clamped to [0, 1] for display by the 8-bit conversion, as save_image
 * does (clamping is for saved images only, never for PSNR; the batches are not modified). The first {@code count}
 * images are shown in bands of {@code perRow} columns: within a band, row s holds images of batch s, so an image
 * and its reconstruction sit in the same column; bands are separated by a wider gap. The reference saves inputs and
 * reconstructions as two separate 64-image grids; interleaving reads better.
 */
public final class ImageGrid {
    /** Default number of images shown. */
    public static final int DEFAULT_COUNT = 32;
    /** Default images per band row. */
    public static final int DEFAULT_PER_ROW = 16;

    private ImageGrid() {
    }

    /** Inputs above reconstructions: the first min(32, B) of each, 16 per row, default padding and scale. */
    public static void writePairs(Path file, Matrix inputs, Matrix reconstructions, Normalization norm)
            throws IOException {
        writeDefault(file, Arrays.asList(inputs, reconstructions), norm);
    }

    /** Clean, noisy and denoised images in three rows per band, otherwise as {@link #writePairs}. */
    public static void writeTriples(Path file, Matrix clean, Matrix noisy, Matrix denoised, Normalization norm)
            throws IOException {
        writeDefault(file, Arrays.asList(clean, noisy, denoised), norm);
    }

    private static void writeDefault(Path file, List<Matrix> batches, Normalization norm) throws IOException {
        if (batches.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("batches must not be null, got " + batches);
        }
        int count = Math.min(DEFAULT_COUNT, batches.getFirst().rows);
        write(file, batches, norm, count, Math.min(DEFAULT_PER_ROW, Math.max(count, 1)),
                AtomGrid.DEFAULT_PADDING, AtomGrid.DEFAULT_SCALE);
    }

    /** Writes {@link #render} as an 8-bit grey PNG, atomically. */
    public static void write(Path file, List<Matrix> batches, Normalization norm, int count, int perRow, int padding,
                             int scale) throws IOException {
        Png.write(file, render(batches, norm, count, perRow, padding, scale));
    }

    /**
     * The first {@code count} images of each batch (all B×P with the same shape, P a square), inverse-normalized
     * with {@code norm} and clamped to [0, 1], {@code perRow} per row, one row per batch in each band.
     */
    public static BufferedImage render(List<Matrix> batches, Normalization norm, int count, int perRow, int padding,
                                       int scale) {
        if (batches == null || batches.isEmpty() || batches.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("need at least one batch and no null batch, got " + batches);
        }
        if (norm == null) {
            throw new IllegalArgumentException("normalization must not be null (e.g. Normalization.MNIST)");
        }
        Matrix first = batches.getFirst();
        for (Matrix b : batches) {
            if (!b.sameShape(first)) {
                throw new IllegalArgumentException("batches must share one shape B×P, got " + first.shape() + " and "
                        + b.shape());
            }
        }
        int side = TileGrid.squareSide(first.cols, "an image (a row of the " + first.shape() + " batch)");
        if (count < 1 || count > first.rows) {
            throw new IllegalArgumentException("count must be in [1, " + first.rows + "] (the rows of the "
                    + first.shape() + " batch), got " + count);
        }
        if (perRow < 1) {
            throw new IllegalArgumentException("perRow must be >= 1, got " + perRow);
        }
        int n = batches.size();
        int perBand = Math.min(perRow, count);
        int bands = (count + perBand - 1) / perBand;
        float[][] tiles = new float[bands * n * perBand][]; // cells in row-major order; null = empty
        for (int s = 0; s < n; s++) {
            Matrix batch = batches.get(s);
            for (int k = 0; k < count; k++) {
                tiles[((k / perBand) * n + s) * perBand + k % perBand] = pixels(batch, k, s, norm);
            }
        }
        int bandGap = 4 * Math.max(padding, 1); // wide enough to tell bands apart at a glance
        return TileGrid.compose(tiles, new TileGrid.Layout(side, perBand, n, bandGap, padding, scale));
    }

    /** Row k of batch s in pixel space, x·std + mean; {@link TileGrid#grey} clamps it to [0, 1] when drawing. */
    private static float[] pixels(Matrix batch, int k, int s, Normalization norm) {
        float[] out = new float[batch.cols]; // (P)
        for (int i = 0; i < batch.cols; i++) {
            float x = batch.data[k * batch.cols + i];
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("batch " + s + " has " + x + " at (" + k + ", " + i
                        + "); only finite images can be drawn");
            }
            out[i] = x * norm.std() + norm.mean();
        }
        return out;
    }
}
