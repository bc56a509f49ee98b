package org.varsparse.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Reading written PNGs back: decoding, grey levels of upscaled blocks, leftover temp files. */
final class Pixels {
    private Pixels() {
    }

    /** Decodes a PNG written by the package; fails if ImageIO cannot read it. */
    static BufferedImage read(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " is not a readable image");
        return img;
    }

    /** The raw sample of band 0 (the grey level of an 8-bit grey image; no colour-space conversion). */
    static int level(BufferedImage img, int x, int y) {
        return img.getRaster().getSample(x, y, 0);
    }

    /** Every pixel of the scale×scale block for unscaled pixel (ux, uy) has grey level {@code expected}. */
    static void assertBlock(BufferedImage img, int ux, int uy, int scale, int expected, String what) {
        for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
                assertEquals(expected, level(img, ux * scale + dx, uy * scale + dy),
                        what + " at unscaled (" + ux + ", " + uy + "), offset (" + dx + ", " + dy + ")");
            }
        }
    }

    /** The directory holds exactly these file names: no temp file left behind by an atomic write. */
    static void assertOnlyFiles(Path dir, String... names) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(names), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "files in " + dir);
        }
    }
}
