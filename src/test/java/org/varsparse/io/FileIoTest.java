package org.varsparse.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.UserError;

class FileIoTest {
    @TempDir
    Path dir;

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void replacesTheFileWholeAndLeavesNoTempFile() throws IOException {
        Path f = dir.resolve("out.bin");
        FileIo.writeAtomically(f, new byte[] {1, 2});
        FileIo.writeAtomically(f, new byte[] {3, 4, 5});
        assertArrayEquals(new byte[] {3, 4, 5}, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndLeavesNoTempFile() throws IOException {
        Path f = dir.resolve("out.bin");
        FileIo.writeAtomically(f, new byte[] {1, 2});
        IOException e = assertThrows(IOException.class, () -> FileIo.writeAtomically(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());
    }

    @Test
    void writeFailureIsOneLineWithAFix() {
        Path f = dir.resolve("no-such-folder").resolve("x.bin");
        IOException io = assertThrows(IOException.class, () -> FileIo.writeAtomically(f, new byte[1]));
        assertEquals(f + ": cannot write it: the folder " + dir.resolve("no-such-folder") + " does not exist. Fix: check"
                + " that its folder exists, is writable and its disk has free space, or write somewhere else",
                FileIo.writeFailure(f, io).getMessage());
        assertEquals(f + ": cannot write it (No space left on device). Fix: check that its folder exists, is writable"
                + " and its disk has free space, or write somewhere else",
                FileIo.writeFailure(f, new java.nio.file.FileSystemException(f.toString(), null, "No space left on device"))
                        .getMessage());
    }

    @Test
    void userErrorsAreOneLine() {
        assertEquals("a: b c. Fix: d", UserError.of("a", "b\n  c", "d").getMessage());
        assertEquals("x y", new UserError("x\r\ny").getMessage());
    }
}
