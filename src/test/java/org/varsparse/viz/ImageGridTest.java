package org.varsparse.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.eval.Metrics.Normalization;
import org.varsparse.tensor.Matrix;

class ImageGridTest {
    private static final int PAD = 2;
    private static final int SCALE = 3;
    private static final int SIDE = 2; // P = 4
    private static final int GAP = 4 * PAD; // between bands
    private static final Normalization IDENTITY = new Normalization(0f, 1f);

    @TempDir
    Path dir;

    /** Asserts the 2×2 tile in cell (row, col) of a grid with {@code rowsPerBand} rows per band is all {@code level}. */
    private static void assertCell(BufferedImage img, int row, int col, int rowsPerBand, int level, String what) {
        int x = PAD + col * (SIDE + PAD);
        int y = PAD + row * (SIDE + PAD) + (row / rowsPerBand) * GAP;
        for (int p = 0; p < SIDE * SIDE; p++) {
            Pixels.assertBlock(img, x + p % SIDE, y + p / SIDE, SCALE, level, what + ", pixel " + p);
        }
    }

    /** B×4 batch whose image k is constant base(k) + offset. */
    private static Matrix constantImages(int b, float offset) {
        Matrix m = new Matrix(b, 4);
        for (int k = 0; k < b; k++) {
            for (int i = 0; i < 4; i++) {
                m.set(k, i, (float) base(k) + offset);
            }
        }
        return m;
    }

    /** (k + 1)/10 + 0.02: with the offsets used here, v·255 + 0.5 stays away from integers (rounding ties). */
    private static double base(int k) {
        return (k + 1) / 10.0 + 0.02;
    }

    private static int level(double v) {
        return (int) Math.floor(v * 255 + 0.5);
    }

    @Test
    void inverseNormalizesThenClampsForDisplayOnly() throws IOException {
        Normalization mnist = Normalization.MNIST; // x·0.3081 + 0.1307
        Matrix inputs = Matrix.of(1, 4, 0f, 1f, 10f, -10f);
        Matrix recs = Matrix.of(1, 4, 2f, -0.5f, 3f, 0.5f);
        Matrix inputsBefore = inputs.copy();
        Path png = dir.resolve("pairs.png");
        ImageGrid.write(png, List.of(inputs, recs), mnist, 1, 1, PAD, SCALE);
        BufferedImage img = Pixels.read(png);
        assertEquals(1, img.getRaster().getNumBands(), "grey PNG");
        // by hand: 0 -> 0.1307 -> 33.8 -> 33; 1 -> 0.4388 -> 112.4 -> 112; 10 -> 3.21 -> clamped 255; -10 -> 0
        int[] in = {33, 112, 255, 0};
        // 2 -> 0.7469 -> 190.96 -> 190; -0.5 -> -0.0234 -> clamped 0; 3 -> 1.055 -> clamped 255; 0.5 -> 0.2848 -> 73
        int[] rec = {190, 0, 255, 73};
        for (int p = 0; p < 4; p++) {
            Pixels.assertBlock(img, PAD + p % 2, PAD + p / 2, SCALE, in[p], "input pixel " + p);
            Pixels.assertBlock(img, PAD + p % 2, PAD + SIDE + PAD + p / 2, SCALE, rec[p], "reconstruction pixel " + p);
        }
        assertArrayEquals(inputsBefore.data, inputs.data, "the batch itself is not clamped");
    }

    @Test
    void pairsInterleaveByBandsOfPerRowColumns() {
        Matrix inputs = constantImages(6, 0f);
        Matrix recs = constantImages(6, 0.05f);
        BufferedImage img = ImageGrid.render(List.of(inputs, recs), IDENTITY, 5, 2, PAD, SCALE);
        // 5 images, 2 per row: 3 bands of (input row, reconstruction row)
        assertEquals((2 * (SIDE + PAD) + PAD) * SCALE, img.getWidth());
        assertEquals((PAD + 6 * (SIDE + PAD) + 2 * GAP) * SCALE, img.getHeight());
        for (int k = 0; k < 5; k++) {
            int band = k / 2;
            assertCell(img, 2 * band, k % 2, 2, level(base(k)), "input " + k);
            assertCell(img, 2 * band + 1, k % 2, 2, level(base(k) + 0.05), "reconstruction " + k);
        }
        assertCell(img, 4, 1, 2, 255, "empty cell after the last input");
        assertCell(img, 5, 1, 2, 255, "empty cell after the last reconstruction");
        // the band gap is white: the pixel row just below band 0's reconstructions
        Pixels.assertBlock(img, PAD, PAD + 2 * (SIDE + PAD) + 1, SCALE, 255, "gap between bands");
    }

    @Test
    void triplesStackCleanNoisyDenoised() throws IOException {
        Path png = dir.resolve("denoise.png");
        ImageGrid.write(png, List.of(constantImages(3, 0f), constantImages(3, 0.3f), constantImages(3, 0.6f)),
                IDENTITY, 3, 3, PAD, SCALE);
        BufferedImage img = Pixels.read(png);
        assertEquals((3 * (SIDE + PAD) + PAD) * SCALE, img.getWidth());
        assertEquals((3 * (SIDE + PAD) + PAD) * SCALE, img.getHeight());
        for (int k = 0; k < 3; k++) {
            assertCell(img, 0, k, 3, level(base(k)), "clean " + k);
            assertCell(img, 1, k, 3, level(base(k) + 0.3), "noisy " + k);
            assertCell(img, 2, k, 3, level(base(k) + 0.6), "denoised " + k);
        }
    }

    @Test
    void defaultsShowAtMost32ImagesIn16Columns() throws IOException {
        int pad = AtomGrid.DEFAULT_PADDING;
        int s = AtomGrid.DEFAULT_SCALE;
        int cell = 28 + pad;
        Path png = dir.resolve("pairs.png");
        ImageGrid.writePairs(png, new Matrix(64, 784), new Matrix(64, 784), Normalization.MNIST);
        BufferedImage img = Pixels.read(png);
        assertEquals((16 * cell + pad) * s, img.getWidth());
        assertEquals((pad + 4 * cell + 4 * pad) * s, img.getHeight(), "2 bands of 2 rows and one band gap");

        Path triples = dir.resolve("triples.png");
        ImageGrid.writeTriples(triples, new Matrix(10, 784), new Matrix(10, 784), new Matrix(10, 784),
                Normalization.MNIST);
        img = Pixels.read(triples);
        assertEquals((10 * cell + pad) * s, img.getWidth(), "a batch of 10 shows 10 in one band");
        assertEquals((3 * cell + pad) * s, img.getHeight());
        // a zero model-space image is the mean 0.1307 -> 33
        Pixels.assertBlock(img, pad + 5, pad + 5, s, 33, "zero input is the dataset mean");
        Pixels.assertOnlyFiles(dir, "pairs.png", "triples.png");
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        Matrix a = new Matrix(4, 16);
        var e = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.render(List.of(a, new Matrix(4, 9)), IDENTITY, 4, 4, 1, 1));
        assertTrue(e.getMessage().contains("4x16") && e.getMessage().contains("4x9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.render(List.of(new Matrix(4, 10)), IDENTITY, 4, 4, 1, 1));
        assertTrue(e.getMessage().contains("10") && e.getMessage().contains("square"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(List.of(a), IDENTITY, 5, 4, 1, 1));
        assertTrue(e.getMessage().contains("count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(List.of(a), IDENTITY, 4, 0, 1, 1));
        assertTrue(e.getMessage().contains("perRow"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(List.of(a), null, 4, 4, 1, 1));
        assertTrue(e.getMessage().contains("normalization"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(List.of(), IDENTITY, 4, 4, 1, 1));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.writePairs(dir.resolve("x.png"), a, null, IDENTITY));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
        Matrix nan = new Matrix(4, 16);
        nan.set(2, 5, Float.POSITIVE_INFINITY);
        e = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.render(List.of(a, nan), IDENTITY, 4, 4, 1, 1));
        assertTrue(e.getMessage().contains("batch 1") && e.getMessage().contains("(2, 5)"), e.getMessage());
    }
}
