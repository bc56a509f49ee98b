package org.varsparse.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TarReaderTest {

    /** One ustar header block (what GNU tar and node-tar write for short names). */
    static byte[] header(String name, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 124, String.format("%011o", size));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    static byte[] tar(Object... nameAndData) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < nameAndData.length; i += 2) {
            byte[] data = (byte[]) nameAndData[i + 1];
            String name = (String) nameAndData[i];
            out.write(header(name, data.length, name.endsWith("/") ? '5' : '0'));
            out.write(data);
            out.write(new byte[(512 - data.length % 512) % 512]);
        }
        out.write(new byte[1024]);
        return out.toByteArray();
    }

    @Test
    void walksEntriesReadingOrSkippingData() throws IOException {
        byte[] big = new byte[1300];
        Arrays.fill(big, (byte) 7);
        byte[] t = tar("package/", new byte[0], "package/a.json", "{}".getBytes(), "package/data/x", big,
                "package/z", new byte[] {1, 2, 3});
        TarReader r = new TarReader(new ByteArrayInputStream(t));
        assertEquals(new TarReader.Entry("package/", 0, '5'), r.next());
        TarReader.Entry a = r.next();
        assertEquals("package/a.json", a.name());
        assertTrue(a.isFile());
        assertEquals("package/data/x", r.next().name()); // a.json's data skipped
        assertArrayEquals(big, r.readData());
        TarReader.Entry z = r.next();
        assertEquals(3, z.size());
        assertArrayEquals(new byte[] {1, 2, 3}, r.readData());
        assertNull(r.next());
    }

    @Test
    void damageIsReported() throws IOException {
        byte[] t = tar("f", new byte[1000]);
        byte[] badSum = t.clone();
        badSum[0] ^= 1;
        IOException e = assertThrows(IOException.class, () -> new TarReader(new ByteArrayInputStream(badSum)).next());
        assertTrue(e.getMessage().contains("corrupt tar header (checksum"), e.getMessage());
        TarReader cut = new TarReader(new ByteArrayInputStream(Arrays.copyOf(t, 700)));
        cut.next();
        e = assertThrows(IOException.class, cut::readData);
        assertTrue(e.getMessage().contains("truncated tar entry: 188 of 1000 bytes"), e.getMessage());
        TarReader cutHeader = new TarReader(new ByteArrayInputStream(Arrays.copyOf(t, 300)));
        e = assertThrows(IOException.class, cutHeader::next);
        assertTrue(e.getMessage().contains("truncated tar header"), e.getMessage());
        TarReader skipPastEnd = new TarReader(new ByteArrayInputStream(Arrays.copyOf(t, 700)));
        skipPastEnd.next();
        e = assertThrows(IOException.class, skipPastEnd::next);
        assertTrue(e.getMessage().contains("an entry's data ends early"), e.getMessage());
    }
}
