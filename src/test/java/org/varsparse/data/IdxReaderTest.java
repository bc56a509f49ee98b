package org.varsparse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.varsparse.testutil.IdxFixtures.gzip;
import static org.varsparse.testutil.IdxFixtures.images;
import static org.varsparse.testutil.IdxFixtures.labels;
import static org.varsparse.testutil.IdxFixtures.ramp;
import static org.varsparse.testutil.IdxFixtures.userError;
import static org.varsparse.testutil.IdxFixtures.write;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsRawImagesAndLabels() {
        byte[] px = ramp(3 * 2 * 4);
        Path f = write(dir.resolve("im"), images(3, 2, 4, px));
        IdxReader.Images im = IdxReader.readImages(f);
        assertEquals(3, im.count());
        assertEquals(2, im.rows());
        assertEquals(4, im.cols());
        assertArrayEquals(px, im.pixels());
        assertEquals(8 + 5, im.pixel(1, 5));
        IdxReader.Labels lb = IdxReader.readLabels(write(dir.resolve("lb"), labels(3, new byte[] {7, 0, (byte) 200})));
        assertEquals(3, lb.count());
        assertEquals(200, lb.get(2));
    }

    @Test
    void detectsGzipByContentNotName() {
        byte[] px = ramp(5 * 28 * 28);
        Path gzNoSuffix = write(dir.resolve("train-images-idx3-ubyte"), gzip(images(5, 28, 28, px)));
        Path rawWithGzSuffix = write(dir.resolve("t10k-images-idx3-ubyte.gz"), images(5, 28, 28, px));
        assertArrayEquals(px, IdxReader.readImages(gzNoSuffix, 28, 28).pixels());
        assertArrayEquals(px, IdxReader.readImages(rawWithGzSuffix, 28, 28).pixels());
        Path gzLabels = write(dir.resolve("l.gz"), gzip(labels(4, new byte[] {1, 2, 3, 4})));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, IdxReader.readLabels(gzLabels).values());
    }

    @Test
    void readsEmptySet() {
        Path f = write(dir.resolve("im"), images(0, 28, 28, new byte[0]));
        assertEquals(0, IdxReader.readImages(f, 28, 28).count());
    }

    @Test
    void wrongMagic() {
        Path lb = write(dir.resolve("labels"), labels(2, new byte[] {1, 2}));
        userError(lb, () -> IdxReader.readImages(lb), "holds IDX labels (magic 0x00000801)", "IDX images (0x00000803)");
        Path im = write(dir.resolve("images"), images(1, 1, 1, new byte[] {1}));
        userError(im, () -> IdxReader.readLabels(im), "holds IDX images");
        Path png = write(dir.resolve("x.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0});
        userError(png, () -> IdxReader.readImages(png), "not an IDX file: magic 0x89504e47");
        Path floats = write(dir.resolve("f"), ByteBuffer.allocate(8).putInt(0x00000d01).putInt(0).array());
        userError(floats, () -> IdxReader.readLabels(floats), "element type 0xd");
    }

    @Test
    void tooShortForHeader() {
        Path f = write(dir.resolve("short"), new byte[] {0, 0, 8});
        userError(f, () -> IdxReader.readImages(f), "only 3 bytes, too short for an IDX header");
        Path g = write(dir.resolve("short2"), Arrays.copyOf(images(1, 2, 2, new byte[4]), 10));
        userError(g, () -> IdxReader.readImages(g), "truncated IDX header");
        Path e = write(dir.resolve("empty"), new byte[0]);
        userError(e, () -> IdxReader.readLabels(e), "only 0 bytes");
    }

    @Test
    void truncatedRaw() {
        byte[] full = images(4, 3, 3, ramp(36));
        Path f = write(dir.resolve("cut"), Arrays.copyOf(full, full.length - 5));
        userError(f, () -> IdxReader.readImages(f), "truncated: the header declares 4 images of 3x3 (36 bytes) but only 31 bytes follow it");
    }

    @Test
    void trailingBytesRaw() {
        byte[] full = images(2, 3, 3, ramp(18));
        Path f = write(dir.resolve("long"), Arrays.copyOf(full, full.length + 7));
        userError(f, () -> IdxReader.readImages(f), "7 bytes of trailing data after the 2 images of 3x3");
        Path l = write(dir.resolve("longl"), Arrays.copyOf(labels(2, new byte[] {1, 2}), 11));
        userError(l, () -> IdxReader.readLabels(l), "1 bytes of trailing data after the 2 labels");
    }

    @Test
    void gzipStreamEndsEarly() {
        byte[] full = images(4, 3, 3, ramp(36));
        Path f = write(dir.resolve("cut.gz"), gzip(Arrays.copyOf(full, full.length - 9)));
        userError(f, () -> IdxReader.readImages(f), "truncated: the gzip stream ends after 27 of the 4 images of 3x3 (36 bytes)");
    }

    @Test
    void gzipTrailingData() {
        byte[] full = images(4, 3, 3, ramp(36));
        Path f = write(dir.resolve("long.gz"), gzip(Arrays.copyOf(full, full.length + 1)));
        userError(f, () -> IdxReader.readImages(f), "trailing data: the gzip stream holds more than the 4 images of 3x3");
    }

    @Test
    void gzipGarbage() {
        byte[] junk = new byte[64];
        junk[0] = 0x1f;
        junk[1] = (byte) 0x8b;
        junk[2] = 8;
        Arrays.fill(junk, 10, 64, (byte) 0xff);
        Path f = write(dir.resolve("junk.gz"), junk);
        userError(f, () -> IdxReader.readImages(f), "corrupt gzip data");
        Path g = write(dir.resolve("notgz.gz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        userError(g, () -> IdxReader.readImages(g), "gzip");
    }

    @Test
    void gzipCutInTheMiddle() {
        byte[] gz = gzip(images(50, 28, 28, ramp(50 * 784)));
        Path f = write(dir.resolve("half.gz"), Arrays.copyOf(gz, gz.length / 2));
        userError(f, () -> IdxReader.readImages(f), "truncated gzip stream");
    }

    @Test
    void hugeDeclaredCountsAreCheckedBeforeAllocating() {
        // 2,100,000 images of 32x32 = 2.15e9 bytes: over the array limit, rejected from the header alone.
        Path over = write(dir.resolve("over"), images(2_100_000, 32, 32, new byte[10]));
        userError(over, () -> IdxReader.readImages(over), "more than 2^31 bytes");
        // 1,500,000 of 28x28 = 1.18e9 bytes fits an array but not the 2 GB test heap twice: never allocated.
        Path raw = write(dir.resolve("raw"), images(1_500_000, 28, 28, new byte[10]));
        userError(raw, () -> IdxReader.readImages(raw), "truncated", "but only 10 bytes follow it");
        Path gz = write(dir.resolve("gz"), gzip(images(1_500_000, 28, 28, new byte[10])));
        userError(gz, () -> IdxReader.readImages(gz), "the gzip stream ends after 10 of the 1500000 images");
        Path neg = write(dir.resolve("neg"), images(-1, 28, 28, new byte[0]));
        userError(neg, () -> IdxReader.readImages(neg), "impossible size 4294967295");
    }

    @Test
    void unexpectedImageSize() {
        Path f = write(dir.resolve("small"), images(2, 5, 5, ramp(50)));
        userError(f, () -> IdxReader.readImages(f, 28, 28), "holds 5x5 images but 28x28 were expected");
        assertEquals(5, IdxReader.readImages(f).rows());
    }

    @Test
    void imageLabelCountMismatch() {
        Path im = write(dir.resolve("im"), images(3, 28, 28, ramp(3 * 784)));
        Path lb = write(dir.resolve("lb"), labels(2, new byte[] {1, 2}));
        userError(im, () -> IdxReader.readLabeled(im, lb, 28, 28), "holds 3 images but " + lb + " holds 2 labels");
        Path lb3 = write(dir.resolve("lb3"), labels(3, new byte[] {1, 2, 3}));
        assertEquals(3, IdxReader.readLabeled(im, lb3, 28, 28).labels().count());
    }

    @Test
    void missingFileAndFolderInsteadOfFile() {
        Path missing = dir.resolve("nope");
        userError(missing, () -> IdxReader.readImages(missing), "no such file");
        userError(dir, () -> IdxReader.readLabels(dir), "is a folder, not a file");
    }

    @Test
    void unreadableFile() throws Exception {
        Path f = write(dir.resolve("locked"), labels(1, new byte[] {1}));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(f), "running as root: permissions do not stop reads");
        userError(f, () -> IdxReader.readLabels(f), "permission denied");
    }
}
