package org.varsparse.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.viz.AtomGrid.Scaling;

class AtomGridTest {
    private static final int PAD = 2;
    private static final int SCALE = 3;

    @TempDir
    Path dir;

    /**
     * P = 16 (4×4), l = 10. Column j is +m_j at pixel j, −m_j at pixel (j + 5) mod 16 and 0 elsewhere, m_j = j + 1.
     * 10 atoms lay out 2 per row in 5 rows.
     */
    private static Matrix plusMinusAtoms() {
        Matrix w = new Matrix(16, 10);
        for (int j = 0; j < 10; j++) {
            w.set(j, j, j + 1);
            w.set((j + 5) % 16, j, -(j + 1));
        }
        return w;
    }

    /** Checks every pixel of tile j (4×4, 2 per row) against expected(pixel). */
    private static void assertTile(BufferedImage img, int j, java.util.function.IntUnaryOperator expected) {
        int ox = PAD + (j % 2) * (4 + PAD);
        int oy = PAD + (j / 2) * (4 + PAD);
        for (int p = 0; p < 16; p++) {
            Pixels.assertBlock(img, ox + p % 4, oy + p / 4, SCALE, expected.applyAsInt(p), "tile " + j + " pixel " + p);
        }
    }

    @Test
    void normEachMapsEachColumnToTheFullGreyRange() throws IOException {
        Path png = dir.resolve("each.png");
        AtomGrid.write(png, plusMinusAtoms(), 10, Scaling.EACH, PAD, SCALE);
        BufferedImage img = Pixels.read(png);
        assertEquals(1, img.getRaster().getNumBands(), "grey PNG");
        for (int j = 0; j < 10; j++) {
            int plus = j;
            int minus = (j + 5) % 16;
            // +max -> 255, -max -> 0, 0 -> 128 (torchvision: floor(0.5·255 + 0.5))
            assertTile(img, j, p -> p == plus ? 255 : p == minus ? 0 : 128);
        }
    }

    @Test
    void normAllKeepsRelativeMagnitudes() throws IOException {
        Path png = dir.resolve("all.png");
        AtomGrid.write(png, plusMinusAtoms(), 10, Scaling.ALL, PAD, SCALE);
        BufferedImage img = Pixels.read(png);
        for (int j = 0; j < 10; j++) {
            int plus = j;
            int minus = (j + 5) % 16;
            double v = (j + 1) / 20.0; // m_j / (2·max), max = 10
            int up = (int) Math.floor((0.5 + v) * 255 + 0.5);
            int down = (int) Math.floor((0.5 - v) * 255 + 0.5);
            assertTile(img, j, p -> p == plus ? up : p == minus ? down : 128);
        }
        // by hand: column 9 holds the global max; column 4 is half of it: 0.75·255 + 0.5 = 191.75, 0.25·255 + 0.5 = 64.25
        assertTile(img, 9, p -> p == 9 ? 255 : p == 14 ? 0 : 128);
        assertTile(img, 4, p -> p == 4 ? 191 : p == 9 ? 64 : 128);
    }

    @Test
    void normAllUsesEveryColumnNotOnlyTheShownOnes() {
        Matrix w = plusMinusAtoms(); // max 10 in column 9
        BufferedImage img = AtomGrid.render(w, 1, Scaling.ALL, PAD, SCALE);
        // column 0 has m = 1: 1/20 + 0.5 = 0.55 -> 140.75 -> 140
        Pixels.assertBlock(img, PAD, PAD, SCALE, 140, "column 0 scaled by the max of all 10 columns");
    }

    @Test
    void paddingAndEmptyCellsAreWhite() {
        BufferedImage img = AtomGrid.render(new Matrix(16, 3), 3, Scaling.EACH, PAD, SCALE); // 1 per row
        Pixels.assertBlock(img, 0, 0, SCALE, 255, "border");
        Pixels.assertBlock(img, PAD + 4, PAD + 1, SCALE, 255, "right border");
        Pixels.assertBlock(img, PAD, PAD + 4, SCALE, 255, "between rows");
        Pixels.assertBlock(img, PAD + 3, PAD + 3, SCALE, 128, "an all-zero matrix is mid-grey, no division by 0");
        BufferedImage five = AtomGrid.render(new Matrix(16, 5), 5, Scaling.ALL, PAD, SCALE); // 2 per row, 3 rows
        Pixels.assertBlock(five, PAD + (4 + PAD), PAD + 2 * (4 + PAD), SCALE, 255, "empty cell after the last atom");
        Pixels.assertBlock(five, PAD, PAD + 2 * (4 + PAD), SCALE, 128, "last atom");
    }

    @Test
    void tilesPerRowFollowsTheReference() {
        // 2^(floor(log2 n) // 2): numpy int(2 ** (np.log2(n) // 2))
        int[][] table = {{1, 1}, {2, 1}, {3, 1}, {4, 2}, {7, 2}, {10, 2}, {15, 2}, {16, 4}, {63, 4}, {64, 8},
                {127, 8}, {128, 8}, {255, 8}, {256, 16}};
        for (int[] t : table) {
            assertEquals(t[1], AtomGrid.tilesPerRow(t[0]), "n = " + t[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> AtomGrid.tilesPerRow(0));
    }

    @Test
    void gridDimensions() {
        // {n, tiles per row, rows}
        int[][] cases = {{256, 16, 16}, {128, 8, 16}, {10, 2, 5}, {3, 1, 3}, {1, 1, 1}};
        Matrix w = Matrix.uniform(784, 256, -1f, 1f, new SplittableRandom(7));
        for (int[] c : cases) {
            BufferedImage img = AtomGrid.render(w, c[0], Scaling.EACH, 1, 2);
            assertEquals((c[1] * (28 + 1) + 1) * 2, img.getWidth(), "width for n = " + c[0]);
            assertEquals((c[2] * (28 + 1) + 1) * 2, img.getHeight(), "height for n = " + c[0]);
        }
    }

    @Test
    void defaultCountIsAtMost256() throws IOException {
        Path png = dir.resolve("w.png");
        AtomGrid.write(png, new Matrix(784, 300), Scaling.EACH);
        BufferedImage img = Pixels.read(png);
        int side = (16 * (28 + AtomGrid.DEFAULT_PADDING) + AtomGrid.DEFAULT_PADDING) * AtomGrid.DEFAULT_SCALE;
        assertEquals(side, img.getWidth());
        assertEquals(side, img.getHeight());
    }

    @Test
    void decodersPictureWForLinearAndW2SizedByCodeDimForNl() throws IOException {
        SplittableRandom rng = new SplittableRandom(3);
        LinearDictionary lin = LinearDictionary.init(16, 6, rng);
        assertSame(lin.W, AtomGrid.atoms(lin));
        OneHiddenDecoder nl = OneHiddenDecoder.init(16, 20, 5, rng); // P = 16, H = 20, l = 5
        assertSame(nl.W2, AtomGrid.atoms(nl));

        Path png = dir.resolve("nl.png");
        AtomGrid.write(png, nl, Scaling.EACH);
        BufferedImage img = Pixels.read(png);
        int s = AtomGrid.DEFAULT_SCALE;
        int pad = AtomGrid.DEFAULT_PADDING;
        // min(256, l) = 5 columns of W2, 2 per row, 3 rows (the reference sizes it by code_dim, not H)
        assertEquals((2 * (4 + pad) + pad) * s, img.getWidth());
        assertEquals((3 * (4 + pad) + pad) * s, img.getHeight());
        // the first tile is column 0 of W2 scaled by its own max|w|
        float max = 0;
        for (int i = 0; i < 16; i++) {
            max = Math.max(max, Math.abs(nl.W2.get(i, 0)));
        }
        for (int i = 0; i < 16; i++) {
            Pixels.assertBlock(img, pad + i % 4, pad + i / 4, s, TileGrid.grey(nl.W2.get(i, 0) / (2 * max) + 0.5f),
                    "W2 column 0, pixel " + i);
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> AtomGrid.render(new Matrix(783, 10), 10, Scaling.EACH, 1, 1));
        assertTrue(e.getMessage().contains("783") && e.getMessage().contains("square"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AtomGrid.render(new Matrix(16, 10), 11, Scaling.EACH, 1, 1));
        assertTrue(e.getMessage().contains("count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AtomGrid.render(new Matrix(16, 10), 0, Scaling.EACH, 1, 1));
        assertTrue(e.getMessage().contains("count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AtomGrid.render(new Matrix(16, 10), 10, Scaling.EACH, 1, 0));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AtomGrid.render(new Matrix(16, 10), 10, Scaling.EACH, -1, 1));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
        Matrix nan = new Matrix(16, 10);
        nan.set(3, 7, Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> AtomGrid.render(nan, 10, Scaling.ALL, 1, 1));
        assertTrue(e.getMessage().contains("(3, 7)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AtomGrid.render(new Matrix(784, 256), 256, Scaling.EACH, 2, 40));
        assertTrue(e.getMessage().contains("lower the scale"), e.getMessage());
    }

    @Test
    void atomicWriteLeavesOnlyThePng() throws IOException {
        Path png = dir.resolve("atoms.png");
        AtomGrid.write(png, plusMinusAtoms(), Scaling.EACH);
        AtomGrid.write(png, plusMinusAtoms(), Scaling.ALL); // overwrite in place
        Pixels.assertOnlyFiles(dir, "atoms.png");
        Path nested = dir.resolve("run/img/atoms.png");
        AtomGrid.write(nested, plusMinusAtoms(), Scaling.ALL);
        Pixels.assertOnlyFiles(nested.getParent(), "atoms.png");
    }
}
