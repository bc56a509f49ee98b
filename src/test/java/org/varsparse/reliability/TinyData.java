package org.varsparse.reliability;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.varsparse.testutil.IdxFixtures;

/**
 * Small MNIST-shaped IDX data sets (28×28 images of one horizontal and one vertical stroke at seeded positions,
 * labels 0..9) and the training command line that fits them: a pool of {@value #POOL} training images (600
 * train + 250 validation) and {@value #TEST} test images, batches of 250 (the presets'), so an epoch is two
 * batches.
 */
final class TinyData {
    static final int POOL = 850;
    static final int TEST = 250;
    static final int SIDE = 28;

    private TinyData() {
    }

    /** The four IDX files, raw, under their canonical names in {@code dir}. */
    static Path write(Path dir, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] trainPx = pixels(POOL, rng);
        byte[] trainLb = labels(POOL, rng);
        byte[] testPx = pixels(TEST, rng);
        byte[] testLb = labels(TEST, rng);
        IdxFixtures.write(dir.resolve("train-images-idx3-ubyte"), IdxFixtures.images(POOL, SIDE, SIDE, trainPx));
        IdxFixtures.write(dir.resolve("train-labels-idx1-ubyte"), IdxFixtures.labels(POOL, trainLb));
        IdxFixtures.write(dir.resolve("t10k-images-idx3-ubyte"), IdxFixtures.images(TEST, SIDE, SIDE, testPx));
        IdxFixtures.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxFixtures.labels(TEST, testLb));
        return dir;
    }

    static byte[] pixels(int n, SplittableRandom rng) {
        byte[] px = new byte[n * SIDE * SIDE];
        for (int i = 0; i < n; i++) {
            int o = i * SIDE * SIDE;
            int r = rng.nextInt(4, 24), c0 = rng.nextInt(2, 20), len = rng.nextInt(4, 9);
            for (int c = c0; c < c0 + len; c++) {
                px[o + r * SIDE + c] = (byte) rng.nextInt(128, 256);
                px[o + (r + 1) * SIDE + c] = (byte) rng.nextInt(128, 256);
            }
            int cc = rng.nextInt(4, 24), r0 = rng.nextInt(2, 20);
            for (int rr = r0; rr < r0 + 6; rr++) {
                px[o + rr * SIDE + cc] = (byte) rng.nextInt(128, 256);
            }
        }
        return px;
    }

    static byte[] labels(int n, SplittableRandom rng) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rng.nextInt(10);
        }
        return b;
    }

    /** {@code n} gray PNG photos of 160×160 noise and strokes, for --photos (LCN patches need 52×52 crops). */
    static Path photos(Path dir, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            BufferedImage im = new BufferedImage(160, 160, BufferedImage.TYPE_BYTE_GRAY);
            byte[] px = ((DataBufferByte) im.getRaster().getDataBuffer()).getData();
            for (int k = 0; k < px.length; k++) {
                px[k] = (byte) rng.nextInt(256);
            }
            try {
                Files.createDirectories(dir);
                ImageIO.write(im, "png", dir.resolve(String.format("photo-%02d.png", i)).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /**
     * A PNG whose header declares a {@code width}×{@code height} gray image, with one short compressed row of data:
     * a few dozen bytes that a reader trusting the header would decode into width·height bytes or more.
     */
    static byte[] pngDeclaring(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        Deflater z = new Deflater();
        z.setInput(new byte[1000]);
        z.finish();
        byte[] buf = new byte[100];
        byte[] idat = Arrays.copyOf(buf, z.deflate(buf));
        ByteBuffer png = ByteBuffer.allocate(8 + 3 * 12 + 13 + idat.length);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", idat);
        chunk(png, "IEND", new byte[0]);
        return png.array();
    }

    private static void chunk(ByteBuffer png, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        png.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
    }

    /**
     * {@code train} on the tiny data: a small model (l = 8, at most 30 FISTA steps) on the scalar backend, so an
     * epoch takes a fraction of a second; {@code more} comes last (the last occurrence of an option wins).
     */
    static List<String> trainArgs(Path data, Path out, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--mnist-dir", data.toString(), "--allow-small-data",
                "--val-size", "250", "--code-dim", "8", "--max-inference-steps", "30", "--epochs",
                Integer.toString(epochs), "--backend", "scalar", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }
}
