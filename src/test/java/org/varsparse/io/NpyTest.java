package org.varsparse.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * .npy reading: both storage orders, the shapes numpy writes, and a malformed shape as an IOException naming the file.
 */
class NpyTest {
    @TempDir
    Path tmp;

    /** A version 1.0 .npy file with header dictionary {@code dict} and {@code data} as little-endian float32. */
    private static byte[] npy(String dict, float... data) {
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float f : data) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static String dict(boolean fortran, String shape) {
        return "{'descr': '<f4', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    }

    @Test
    void cAndFortranOrderAreBothReadIntoCOrder() throws IOException {
        Npy.Array c = Npy.parse(npy(dict(false, "(2, 3)"), 1, 2, 3, 4, 5, 6), "c.npy");
        Npy.Array f = Npy.parse(npy(dict(true, "(2, 3)"), 1, 4, 2, 5, 3, 6), "f.npy"); // columns stored first
        assertArrayEquals(new int[] {2, 3}, c.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, c.values());
        assertArrayEquals(c.values(), f.values());
    }

    @Test
    void numpysShapesOfOneAndZeroDimensionsAndPython2LongsAreRead() throws IOException {
        assertArrayEquals(new int[] {3}, Npy.parse(npy(dict(false, "(3,)"), 1, 2, 3), "v.npy").shape());
        assertArrayEquals(new int[0], Npy.parse(npy(dict(false, "()"), 7), "s.npy").shape());
        assertArrayEquals(new int[] {1, 2}, Npy.parse(npy(dict(false, "(1L, 2L)"), 1, 2), "py2.npy").shape());
    }

    @Test
    void aRoundTripThroughWriteFloat32KeepsShapeAndValues() throws IOException {
        Path file = tmp.resolve("m.npy");
        Npy.writeFloat32(file, new float[] {1.5f, -2f, 0f, 3f, 4f, 5f}, 3, 2);
        Npy.Array a = Npy.read(file);
        assertEquals("<f4", a.dtype());
        assertArrayEquals(new int[] {3, 2}, a.shape());
        assertArrayEquals(new double[] {1.5, -2, 0, 3, 4, 5}, a.values());
    }

    @ParameterizedTest
    @ValueSource(strings = {"(99999999999, 2)", "(2, 2147483648)", "(123456789012345678901234567890, 1)",
            "(two, 2)", "(2, -3)", "(2,, 3)", "(100000, 100000)"})
    void aBadShapeIsAnIOExceptionNamingTheFileAndTheShape(String shape) {
        IOException e = assertThrows(IOException.class, () -> Npy.parse(npy(dict(false, shape), 1, 2), "codes.npy"));
        assertTrue(e.getMessage().startsWith("codes.npy: ") && e.getMessage().contains(shape), e.getMessage());
    }
}
