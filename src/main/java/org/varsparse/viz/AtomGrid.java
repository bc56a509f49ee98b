package org.varsparse.viz;

import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Dictionary elements as a grey picture (METHOD §4.5; models/*.py {@code viz_columns}, utils.log_viz).
 *
 * <p>The first n columns of a P×m weight matrix (W of a {@link LinearDictionary}, W2 of a {@link OneHiddenDecoder})
 * are each reshaped to side×side (side = √P, row-major, as {@code view(1, side, -1)}), mapped to
 * v = w / (2·max|w|) + 0.5 so that 0 is mid-grey (128), +max white and −max black, and laid out
 * 2^(⌊log2 n⌋ / 2) per row (8 for n = 128, 16 for 256). max|w| is taken per column ({@link Scaling#EACH},
 * "norm_each") or over the whole matrix, all m columns ({@link Scaling#ALL}, "norm_all"); a zero maximum leaves
 * the column unscaled (all mid-grey), as the reference. Tiles are separated by white padding and the grid is
 * upscaled by an integer factor (the reference uses padding 5 and no upscaling).
 */
public final class AtomGrid {
    /** The reference shows at most this many elements. */
    public static final int MAX_ATOMS = 256;
    /** Default white pixels between tiles, before upscaling. */
    public static final int DEFAULT_PADDING = 2;
    /** Default upscale factor: a 28×28 atom becomes 84×84 pixels. */
    public static final int DEFAULT_SCALE = 3;

    /** How each column is scaled to [−0.5, 0.5]. */
    public enum Scaling {
        /** By its own max|w| ("norm_each"): every atom uses the full grey range. */
        EACH,
        /** By the max|w| of the whole matrix ("norm_all"): atoms keep their relative magnitudes. */
        ALL
    }

    private AtomGrid() {
    }

    /** Tiles per row for n tiles: 2^(⌊log2 n⌋ // 2), the reference's {@code n_rows} (torchvision's nrow). */
    public static int tilesPerRow(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("number of atoms must be >= 1, got " + n);
        }
        int log2 = 31 - Integer.numberOfLeadingZeros(n);
        return 1 << (log2 / 2);
    }

    /** The matrix whose columns are the pictured atoms: W (P×l) for the linear decoder, W2 (P×H) for the NL one. */
    public static Matrix atoms(Decoder decoder) {
        return switch (decoder) {
            case LinearDictionary d -> d.W;
            case OneHiddenDecoder d -> d.W2;
        };
    }

    /**
     * The reference's picture of a decoder: the first min(256, l) columns of {@link #atoms}, with the defaults for
     * padding and scale. For the NL decoder this is min(256, l) columns of W2 (P×H), not min(256, H): the reference
     * sizes it by {@code code_dim} (utils.log_viz).
     */
    public static void write(Path file, Decoder decoder, Scaling scaling) throws IOException {
        write(file, atoms(decoder), Math.min(MAX_ATOMS, decoder.codeDim()), scaling, DEFAULT_PADDING, DEFAULT_SCALE);
    }

    /** The first min(256, m) columns of weights (P×m), with the defaults for padding and scale. */
    public static void write(Path file, Matrix weights, Scaling scaling) throws IOException {
        write(file, weights, Math.min(MAX_ATOMS, weights.cols), scaling, DEFAULT_PADDING, DEFAULT_SCALE);
    }

    /** Writes {@link #render} as an 8-bit grey PNG, atomically. */
    public static void write(Path file, Matrix weights, int count, Scaling scaling, int padding, int scale)
            throws IOException {
        Png.write(file, render(weights, count, scaling, padding, scale));
    }

    /**
     * The first {@code count} columns of weights (P×m, P a square) as an 8-bit grey image of
     * {@link #tilesPerRow}(count) tiles per row.
     */
    public static BufferedImage render(Matrix weights, int count, Scaling scaling, int padding, int scale) {
        if (weights == null || scaling == null) {
            throw new IllegalArgumentException("weights and scaling must not be null");
        }
        int side = TileGrid.squareSide(weights.rows, "an atom (a column of the " + weights.shape() + " weights)");
        if (count < 1 || count > weights.cols) {
            throw new IllegalArgumentException("count must be in [1, " + weights.cols + "] (the columns of the "
                    + weights.shape() + " weights), got " + count);
        }
        float[] maxAbs = columnMaxAbs(weights);
        float all = 0f;
        for (float m : maxAbs) {
            all = Math.max(all, m);
        }
        int p = weights.rows;
        float[][] tiles = new float[count][];
        for (int j = 0; j < count; j++) {
            float max = scaling == Scaling.EACH ? maxAbs[j] : all;
            float[] tile = new float[p]; // (side·side)
            for (int i = 0; i < p; i++) {
                float w = weights.data[i * weights.cols + j];
                tile[i] = (max > 0f ? w / (2f * max) : w) + 0.5f;
            }
            tiles[j] = tile;
        }
        return TileGrid.compose(tiles, new TileGrid.Layout(side, tilesPerRow(count), 0, 0, padding, scale));
    }

    /** max|w| of each column; an IllegalArgumentException at the first non-finite entry. */
    private static float[] columnMaxAbs(Matrix w) {
        float[] max = new float[w.cols]; // (m)
        for (int i = 0; i < w.rows; i++) {
            for (int j = 0; j < w.cols; j++) {
                float v = w.data[i * w.cols + j];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("weight (" + i + ", " + j + ") of the " + w.shape()
                            + " matrix is " + v + "; atoms can only be drawn from finite weights");
                }
                max[j] = Math.max(max[j], Math.abs(v));
            }
        }
        return max;
    }
}
