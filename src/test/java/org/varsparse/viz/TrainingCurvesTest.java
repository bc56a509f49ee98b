package org.varsparse.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCurvesTest {
    private static final int HEIGHT = TrainingCurves.TITLE_HEIGHT + 3 * TrainingCurves.PANEL_HEIGHT;

    @TempDir
    Path dir;

    /** XChart's first series colour is blue, its second orange; axes, text and grid are grey. */
    private static final IntPredicate BLUE = rgb -> b(rgb) > r(rgb) + 60;
    private static final IntPredicate ORANGE = rgb -> r(rgb) > b(rgb) + 60;

    private static int r(int rgb) {
        return (rgb >> 16) & 0xff;
    }

    private static int b(int rgb) {
        return rgb & 0xff;
    }

    /** Pixels matching {@code p} in rows [y0, y1). */
    private static int count(BufferedImage img, int y0, int y1, IntPredicate p) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (p.test(img.getRGB(x, y))) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Pixels matching {@code p} in panel i. */
    private static int inPanel(BufferedImage img, int i, IntPredicate p) {
        int y0 = TrainingCurves.TITLE_HEIGHT + i * TrainingCurves.PANEL_HEIGHT;
        return count(img, y0, y0 + TrainingCurves.PANEL_HEIGHT, p);
    }

    private static Map<Integer, Double> series(int epochs, java.util.function.IntToDoubleFunction f) {
        Map<Integer, Double> m = new TreeMap<>();
        for (int e = 0; e < epochs; e++) {
            m.put(e, f.applyAsDouble(e));
        }
        return m;
    }

    @Test
    void threePanelsWithTheirCurves() throws IOException {
        Path png = dir.resolve("curves.png");
        Map<Integer, Double> energy = series(20, e -> 40 * Math.exp(-e / 5.0) + 12);
        energy.put(7, Double.NaN); // skipped, not fatal
        energy.put(8, Double.POSITIVE_INFINITY);
        TrainingCurves.write(png, "MNIST VDL", series(20, e -> 14 + 0.3 * e), series(20, e -> 14.5 + 0.3 * e),
                series(20, e -> 60 + e), energy);
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head, "PNG signature");
        BufferedImage img = Pixels.read(png);
        assertEquals(TrainingCurves.WIDTH, img.getWidth());
        assertEquals(HEIGHT, img.getHeight());
        int dark = count(img, 0, TrainingCurves.TITLE_HEIGHT, rgb -> r(rgb) < 100);
        assertTrue(dark > 100, "the title is drawn: " + dark + " dark pixels");
        int nonWhite = count(img, 0, HEIGHT, rgb -> (rgb & 0xffffff) != 0xffffff);
        assertTrue(nonWhite > img.getWidth() * img.getHeight() / 100, "not blank: " + nonWhite + " non-white pixels");
        assertTrue(inPanel(img, 0, ORANGE) > 200, "PSNR panel draws the training series");
        for (int i = 0; i < 3; i++) {
            assertTrue(inPanel(img, i, BLUE) > 200, "panel " + i + " draws its validation series");
        }
        Pixels.assertOnlyFiles(dir, "curves.png");
    }

    @Test
    void trainingPsnrIsOptional() {
        BufferedImage img = render(series(5, e -> 15 + e), Map.of(), series(5, e -> 70 + e), series(5, e -> 30 - e));
        assertEquals(0, inPanel(img, 0, ORANGE), "no training series, no second colour");
        assertTrue(inPanel(img, 0, BLUE) > 200);
    }

    @Test
    void oneEpochIsASingleMarker() {
        BufferedImage img = render(Map.of(0, 15.0), Map.of(0, 15.5), Map.of(0, 70.0), Map.of(0, 30.0));
        assertEquals(HEIGHT, img.getHeight());
        for (int i = 0; i < 3; i++) {
            int blue = inPanel(img, i, BLUE);
            assertTrue(blue > 20, "panel " + i + " shows a marker: " + blue + " blue pixels");
        }
    }

    @Test
    void aPanelWithNoFiniteValueIsDrawnEmpty() {
        Map<Integer, Double> nan = new HashMap<>();
        nan.put(0, Double.NaN);
        nan.put(1, null);
        BufferedImage img = render(series(3, e -> 15 + e), Map.of(), series(3, e -> 70 + e), nan);
        assertEquals(0, inPanel(img, 2, BLUE) + inPanel(img, 2, ORANGE), "nothing plotted in the energy panel");
        assertTrue(inPanel(img, 1, BLUE) > 50, "the other panels still show their data");
    }

    @Test
    void badArgumentsAreRejected() {
        Path png = dir.resolve("x.png");
        var e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCurves.write(png, "t", Map.of(), Map.of(), null, Map.of()));
        assertTrue(e.getMessage().contains("sparsityPercent null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingCurves.render("t", List.of()));
        assertTrue(e.getMessage().contains("panel"), e.getMessage());
        Map<Integer, Double> nullEpoch = new HashMap<>();
        nullEpoch.put(null, 1.0);
        e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingCurves.Panel("Energy", "energy", Map.of("val", nullEpoch)));
        assertTrue(e.getMessage().contains("null epoch"), e.getMessage());
    }

    private BufferedImage render(Map<Integer, Double> val, Map<Integer, Double> train, Map<Integer, Double> sparsity,
                                 Map<Integer, Double> energy) {
        Path png = dir.resolve("c.png");
        try {
            TrainingCurves.write(png, "run", val, train, sparsity, energy);
            return Pixels.read(png);
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
    }
}
