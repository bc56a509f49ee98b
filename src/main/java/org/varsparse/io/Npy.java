package org.varsparse.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.varsparse.tensor.Matrix;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0, little-endian): what Python users open with
 * {@code numpy.load}. Reads {@code <f4 <f8 <i4 <i8 |u1 |i1 |b1} stored in C or Fortran order into an {@link Array}
 * whose values are in C order (row-major); writes float32 in C order, atomically. A malformed file is an
 * {@link IOException} naming it.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** An array read from a .npy file: its dtype string, shape, and values widened to double. */
    public record Array(String dtype, int[] shape, double[] values) {
        public int size() {
            return values.length;
        }

        /** As a float32 matrix: 2-D arrays keep their shape, 1-D arrays become 1×n. */
        public Matrix toMatrix() {
            int rows = shape.length == 2 ? shape[0] : 1;
            int cols = shape.length == 2 ? shape[1] : shape.length == 1 ? shape[0] : values.length;
            if (shape.length > 2) {
                throw new IllegalArgumentException("a " + shape.length + "-d array " + Arrays.toString(shape) + " is not a matrix");
            }
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return new Matrix(rows, cols, f);
        }

        public float[] toFloats() {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return f;
        }
    }

    public static Array read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return parse(all, file.toString());
    }

    /** Parses the bytes of a .npy file; {@code name} is used in error messages. */
    public static Array parse(byte[] all, String name) throws IOException {
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC)) {
            throw new IOException(name + ": not a .npy file (bad magic)");
        }
        int major = all[6];
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(bb.getShort(8));
            start = 10;
        } else if (major == 2 || major == 3) {
            if (all.length < 12) {
                throw new IOException(name + ": truncated .npy header");
            }
            headerLen = bb.getInt(8);
            start = 12;
        } else {
            throw new IOException(name + ": unsupported .npy format version " + major);
        }
        if (headerLen < 0 || start + headerLen > all.length) {
            throw new IOException(name + ": truncated .npy header");
        }
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, name, "descr");
        boolean fortran = find(FORTRAN, header, name, "fortran_order").equals("True");
        String shapeText = find(SHAPE, header, name, "shape").trim();
        int[] shape = shape(shapeText, name);
        long n = 1;
        for (int d : shape) {
            n *= d; // at most (2³¹−1)² before the check below, so no overflow
            if (n > Integer.MAX_VALUE) {
                throw new IOException(name + ": shape (" + shapeText + ") holds more values than a Java array can"
                        + " (" + Integer.MAX_VALUE + "); a corrupt header, or an array too large to load whole");
            }
        }
        int width = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "|b1", "|i1" -> 1;
            default -> throw new IOException(name + ": unsupported dtype " + descr + " (use float32, float64, int32, int64 or uint8)");
        };
        int dataStart = start + headerLen;
        if ((long) all.length - dataStart != n * width) {
            throw new IOException(name + ": holds " + (all.length - dataStart) + " data bytes but shape "
                    + Arrays.toString(shape) + " of " + descr + " needs " + n * width + " (truncated or corrupt file)");
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) {
            int o = dataStart + i * width;
            v[i] = switch (descr) {
                case "<f4" -> bb.getFloat(o);
                case "<f8" -> bb.getDouble(o);
                case "<i4" -> bb.getInt(o);
                case "<i8" -> bb.getLong(o);
                case "|i1" -> all[o];
                default -> Byte.toUnsignedInt(all[o]);
            };
        }
        return new Array(descr, shape, fortran ? fortranToC(v, shape) : v);
    }

    /**
     * Values stored in Fortran order (first index fastest; what sklearn returns for {@code sparse_encode} codes,
     * or {@code np.asfortranarray}) rearranged into C order.
     */
    private static double[] fortranToC(double[] f, int[] shape) {
        double[] c = new double[f.length];
        int[] idx = new int[shape.length];
        for (int k = 0; k < c.length; k++) { // k walks C order; idx is its multi-index
            int off = 0;
            for (int d = shape.length - 1; d >= 0; d--) {
                off = off * shape[d] + idx[d];
            }
            c[k] = f[off];
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) {
                idx[d] = 0;
            }
        }
        return c;
    }

    private static final Pattern DIM = Pattern.compile("-?[0-9]+L?"); // Python 2's numpy wrote longs as 3L

    /** The dimensions in a header's {@code 'shape': (...)}, each in [0, 2³¹−1]. */
    private static int[] shape(String text, String name) throws IOException {
        String[] parts = text.split(",", -1);
        int count = parts.length;
        if (count > 0 && parts[count - 1].isBlank()) {
            count--; // the trailing comma of (n,) or of an empty ()
        }
        int[] shape = new int[count];
        for (int i = 0; i < count; i++) {
            String d = parts[i].trim();
            if (!DIM.matcher(d).matches()) {
                throw new IOException(name + ": .npy header has a bad shape (" + text + "): '" + d
                        + "' is not a dimension (a corrupt header)");
            }
            long v;
            try {
                v = Long.parseLong(d.endsWith("L") ? d.substring(0, d.length() - 1) : d);
            } catch (NumberFormatException e) {
                v = d.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE; // more digits than a long holds
            }
            if (v < 0) {
                throw new IOException(name + ": .npy header has a negative dimension in shape (" + text + ")");
            }
            if (v > Integer.MAX_VALUE) {
                throw new IOException(name + ": .npy header has a bad shape (" + text + "): dimension " + d
                        + " is larger than " + Integer.MAX_VALUE
                        + " (a corrupt header, or an array too large to load)");
            }
            shape[i] = (int) v;
        }
        return shape;
    }

    private static String find(Pattern p, String header, String name, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(name + ": .npy header has no '" + key + "'");
        }
        return m.group(1);
    }

    /** Writes a float32 array of the given shape (C order), atomically (temp file + rename). */
    public static void writeFloat32(Path file, float[] values, int... shape) throws IOException {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + values.length + " values");
        }
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 1); // (a, b) ; a 1-d shape keeps its trailing comma: (n,)
            dims.setLength(dims.length() - 1);
        } else if (shape.length == 1) {
            dims.setLength(dims.length() - 1);
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float f : values) {
            out.putFloat(f);
        }
        writeAtomically(file, out.array());
    }

    public static void writeMatrix(Path file, Matrix m) throws IOException {
        writeFloat32(file, m.data, m.rows, m.cols);
    }

    /** Writes bytes atomically (temp file beside {@code file}, then rename); see {@link FileIo#writeAtomically}. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        FileIo.writeAtomically(file, bytes);
    }
}
