package org.varsparse.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.varsparse.UserError;
import org.varsparse.io.FileIo;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: images (magic {@code 0x00000803}: count,
 * rows, cols, then count·rows·cols unsigned bytes) and labels (magic {@code 0x00000801}: count, then
 * count bytes); all header integers are big-endian. A file is gzip-compressed when it starts with
 * the gzip magic bytes {@code 1f 8b}, whatever its name.
 *
 * <p>Every problem is a one-line {@link UserError}. Sizes declared in the header are checked
 * before anything of that size is allocated: against the file size for raw files; for gzip the
 * buffer only grows with the data actually decompressed, and the stream must end exactly where
 * the header says.
 */
public final class IdxReader {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    private static final String FIX = "replace it with an intact copy of the IDX file (download it again)";
    private static final int MAX_BYTES = Integer.MAX_VALUE - 8; // the largest Java array

    private IdxReader() {
    }

    /** Images as stored: {@code pixels[i * rows * cols + r * cols + c]}, unsigned bytes. */
    public record Images(Path file, int count, int rows, int cols, byte[] pixels) {
        public int pixelsPerImage() {
            return rows * cols;
        }

        /** Pixel {@code p} (0..rows·cols−1) of image {@code i}, 0..255. */
        public int pixel(int i, int p) {
            return Byte.toUnsignedInt(pixels[i * rows * cols + p]);
        }
    }

    /** Labels as stored, unsigned bytes. */
    public record Labels(Path file, byte[] values) {
        public int count() {
            return values.length;
        }

        public int get(int i) {
            return Byte.toUnsignedInt(values[i]);
        }
    }

    /** Images with their labels, one label per image. */
    public record Labeled(Images images, Labels labels) {
    }

    /** Reads an image file of any positive image size. */
    public static Images readImages(Path file) {
        return readImages(file, 0, 0);
    }

    /** Reads an image file whose images must be {@code rows}×{@code cols} (0: any). */
    public static Images readImages(Path file, int rows, int cols) {
        Body b = read(file, IMAGES_MAGIC);
        assert b.dims.length == 3;
        if ((rows > 0 && b.dims[1] != rows) || (cols > 0 && b.dims[2] != cols)) {
            throw UserError.of(file, "holds " + b.dims[1] + "x" + b.dims[2] + " images but " + rows + "x" + cols
                    + " were expected", "use the IDX image files of MNIST or Fashion-MNIST (28x28)");
        }
        return new Images(file, b.dims[0], b.dims[1], b.dims[2], b.data);
    }

    public static Labels readLabels(Path file) {
        Body b = read(file, LABELS_MAGIC);
        return new Labels(file, b.data);
    }

    /** Reads an image file and its label file and checks that they hold the same number of items. */
    public static Labeled readLabeled(Path images, Path labels, int rows, int cols) {
        Images im = readImages(images, rows, cols);
        Labels lb = readLabels(labels);
        if (im.count() != lb.count()) {
            throw UserError.of(images, "holds " + im.count() + " images but " + labels + " holds " + lb.count()
                    + " labels", "use the image and label files of the same set (train or t10k) from one source");
        }
        return new Labeled(im, lb);
    }

    private record Body(int[] dims, byte[] data) {
    }

    private static Body read(Path file, int expectedMagic) {
        long fileSize = FileIo.size(file, "check the path (" + FIX + ")");
        try (InputStream raw = FileIo.open(file, FIX)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return readBody(file, in, gzip, fileSize, expectedMagic);
            }
        } catch (ZipException e) {
            throw UserError.of(file, "corrupt gzip data (" + e.getMessage() + ")", FIX, e);
        } catch (EOFException e) {
            throw UserError.of(file, "truncated gzip stream (" + e.getMessage() + ")", FIX, e);
        } catch (IOException e) {
            throw FileIo.readFailure(file, e, FIX);
        }
    }

    private static Body readBody(Path file, InputStream in, boolean gzip, long fileSize, int expectedMagic)
            throws IOException {
        String where = gzip ? "the decompressed data" : "the file";
        byte[] head = new byte[4];
        int got = in.readNBytes(head, 0, 4);
        if (got < 4) {
            throw UserError.of(file, where + " has only " + got + " bytes, too short for an IDX header", FIX);
        }
        int magic = be32(head, 0);
        if (magic != expectedMagic) {
            throw UserError.of(file, describeMagic(magic, expectedMagic), expectedMagic == IMAGES_MAGIC
                    ? "pass an IDX image file (e.g. train-images-idx3-ubyte)"
                    : "pass an IDX label file (e.g. train-labels-idx1-ubyte)");
        }
        int ndims = magic & 0xff;
        byte[] dimBytes = new byte[4 * ndims];
        got = in.readNBytes(dimBytes, 0, dimBytes.length);
        if (got < dimBytes.length) {
            throw UserError.of(file, "truncated IDX header: " + where + " ends inside the dimensions", FIX);
        }
        int[] dims = new int[ndims];
        long count = 1;
        for (int d = 0; d < ndims; d++) {
            dims[d] = be32(dimBytes, 4 * d);
            if (dims[d] < 0 || (d > 0 && dims[d] == 0)) {
                throw UserError.of(file, "IDX header declares an impossible size " + Integer.toUnsignedString(dims[d])
                        + " in dimension " + d, FIX);
            }
            count *= dims[d];
            if (count > MAX_BYTES) {
                String read = Arrays.toString(Arrays.copyOf(dims, d + 1)); // the dimensions read so far
                throw UserError.of(file, "IDX header declares dimensions " + (d + 1 < ndims
                        ? read.replace("]", ", ...]") : read) + ", more than 2^31 bytes",
                        "split the data set into smaller IDX files, or " + FIX);
            }
        }
        long headerLen = 4L + 4L * ndims;
        String declared = describe(dims) + " (" + count + " bytes)";
        if (!gzip) {
            long available = fileSize - headerLen;
            if (available < count) {
                throw UserError.of(file, "truncated: the header declares " + declared + " but only " + available
                        + " bytes follow it", FIX);
            }
            if (available > count) {
                throw UserError.of(file, (available - count) + " bytes of trailing data after the " + declared
                        + " the header declares", FIX);
            }
            byte[] data = new byte[(int) count]; // checked against the file size above
            int n = in.readNBytes(data, 0, data.length);
            if (n != count) { // the file shrank while we read it
                throw UserError.of(file, "truncated: ended after " + n + " of " + count + " data bytes", FIX);
            }
            return new Body(dims, data);
        }
        byte[] data = readGrowing(in, (int) count);
        if (data.length < count) {
            throw UserError.of(file, "truncated: the gzip stream ends after " + data.length + " of the " + declared
                    + " the header declares", FIX);
        }
        if (in.read() != -1) {
            throw UserError.of(file, "trailing data: the gzip stream holds more than the " + declared
                    + " the header declares", FIX);
        }
        return new Body(dims, data);
    }

    /** Reads up to {@code max} bytes; the buffer grows with what actually arrives, never past max. */
    private static byte[] readGrowing(InputStream in, int max) throws IOException {
        byte[] buf = new byte[Math.min(max, 1 << 20)];
        int n = 0;
        while (n < max) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(max, 2L * buf.length));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    private static String describeMagic(int magic, int expected) {
        String want = expected == IMAGES_MAGIC ? "images" : "labels";
        if (magic == IMAGES_MAGIC || magic == LABELS_MAGIC) {
            String have = magic == IMAGES_MAGIC ? "images" : "labels";
            return "holds IDX " + have + " (magic " + hex(magic) + ") where IDX " + want + " (" + hex(expected)
                    + ") were expected";
        }
        if ((magic >>> 16) == 0 && ((magic >>> 8) & 0xff) >= 0x08 && ((magic >>> 8) & 0xff) <= 0x0e) {
            return "an IDX file of element type 0x" + Integer.toHexString((magic >>> 8) & 0xff) + " with "
                    + (magic & 0xff) + " dimensions (magic " + hex(magic) + "), but IDX " + want + " ("
                    + hex(expected) + ") were expected";
        }
        return "not an IDX file: magic " + hex(magic) + ", expected " + hex(expected) + " (" + want + ")";
    }

    private static String describe(int[] dims) {
        if (dims.length == 3) {
            return dims[0] + " images of " + dims[1] + "x" + dims[2];
        }
        return dims[0] + " labels";
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }

    private static int be32(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }
}
