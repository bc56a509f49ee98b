package org.varsparse.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal reader for POSIX ustar archives, enough for npm tarballs: walks the entries in order and
 * lets the caller read or skip each entry's data. Pax ({@code x}, {@code g}) and GNU long-name
 * ({@code L}, {@code K}) records are skipped, so names longer than 100 + 155 characters are not
 * supported. Structural problems are {@link IOException}s whose message describes the damage; the
 * caller names the file.
 */
public final class TarReader {
    private static final int BLOCK = 512;

    private final InputStream in;
    private long remaining; // data bytes of the current entry not yet consumed
    private long padding;   // zero bytes that pad the current entry to a whole block

    /** An archive entry: its path inside the archive, its size in bytes and its type flag. */
    public record Entry(String name, long size, char type) {
        public boolean isFile() {
            return type == '0' || type == '\0';
        }
    }

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Skips what is left of the previous one. */
    public Entry next() throws IOException {
        while (true) {
            skipRest();
            byte[] h = in.readNBytes(BLOCK);
            if (h.length == 0) {
                return null; // tolerated: some writers omit the two zero end blocks
            }
            if (h.length < BLOCK) {
                throw new IOException("truncated tar header (" + h.length + " of 512 bytes)");
            }
            if (allZero(h)) {
                return null;
            }
            checkChecksum(h);
            String name = text(h, 0, 100);
            String prefix = text(h, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            long size = octal(h, 124, 12);
            char type = (char) h[156];
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                continue; // metadata record: skip its data
            }
            return new Entry(name, size, type);
        }
    }

    /** The data of the current entry; {@code entry.size()} must fit an array (the caller checks it). */
    public byte[] readData() throws IOException {
        if (remaining > Integer.MAX_VALUE - 8) {
            throw new IOException("tar entry of " + remaining + " bytes is too large to read into memory");
        }
        byte[] data = in.readNBytes((int) remaining);
        if (data.length < remaining) {
            throw new IOException("truncated tar entry: " + data.length + " of " + remaining + " bytes");
        }
        remaining = 0;
        return data;
    }

    private void skipRest() throws IOException {
        long n = remaining + padding;
        remaining = 0;
        padding = 0;
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new IOException("truncated tar archive: an entry's data ends early", e);
        }
    }

    private static void checkChecksum(byte[] h) throws IOException {
        long stored = octal(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != stored) {
            throw new IOException("corrupt tar header (checksum " + stored + ", computed " + sum + ")");
        }
    }

    private static long octal(byte[] h, int off, int len) throws IOException {
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        for (; i < end && h[i] != ' ' && h[i] != 0; i++) {
            if (h[i] < '0' || h[i] > '7') {
                throw new IOException("corrupt tar header (bad octal number at byte " + off + ")");
            }
            v = v * 8 + (h[i] - '0');
        }
        return v;
    }

    private static String text(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
