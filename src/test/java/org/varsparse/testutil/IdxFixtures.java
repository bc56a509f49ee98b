package org.varsparse.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.function.Executable;
import org.varsparse.UserError;
import org.varsparse.data.IdxReader;

/** Writes small IDX files for tests, and checks the shape of user errors. */
public final class IdxFixtures {
    private IdxFixtures() {
    }

    /** The bytes of an IDX image file: header (magic 0x803, count, rows, cols) then {@code pixels}. */
    public static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows)
                .putInt(cols).put(pixels).array();
    }

    /** The bytes of an IDX label file: header (magic 0x801, count) then {@code labels}. */
    public static byte[] labels(int count, byte[] labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(IdxReader.LABELS_MAGIC).putInt(count).put(labels).array();
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pixels 0, 1, 2, ... wrapping at 256. */
    public static byte[] ramp(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /**
     * Runs {@code call}, expects a {@link UserError} and checks the house format: one line, naming
     * {@code where}, with a fix; returns the message for further checks.
     */
    public static String userError(Object where, Executable call, String... fragments) {
        UserError e = assertThrows(UserError.class, call);
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        assertTrue(m.startsWith(where.toString()), "names " + where + ": " + m);
        assertTrue(m.contains("Fix: "), "has a fix: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "expected '" + f + "' in: " + m);
        }
        assertEquals(m.strip(), m);
        return m;
    }
}
