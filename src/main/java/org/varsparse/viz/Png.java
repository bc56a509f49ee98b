package org.varsparse.viz;

import org.varsparse.io.Npy;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PNG output shared by the visualizations: encoded in memory, then written atomically (temp file beside the target,
 * then a rename), so a reader never sees a half-written picture.
 */
final class Png {
    private Png() {
    }

    /**
     * Sets {@code java.awt.headless=true} unless the user set it: pictures are drawn off-screen, and a machine with
     * no display can otherwise fail on first AWT use. Call before any AWT use; it has no effect once AWT started.
     */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static void write(Path file, BufferedImage image) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("PNG path is null");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer for image type " + image.getType());
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Npy.writeAtomically(file, bytes.toByteArray());
    }
}
