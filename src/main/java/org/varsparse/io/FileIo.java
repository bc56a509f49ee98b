package org.varsparse.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;
import org.varsparse.UserError;

/**
 * File access shared by the readers and writers: opening with one-line {@link UserError}s for the
 * usual user mistakes (missing file, a folder where a file belongs, no permission), and atomic
 * writes (temp file beside the target, flushed to disk, then renamed over it), so a crash or a full
 * disk never leaves a half-written file under the final name.
 */
public final class FileIo {
    private static final SecureRandom TEMP_NAMES = new SecureRandom();

    private FileIo() {
    }

    /** Writes the bytes of one file; used by {@link #writeAtomically(Path, Body)}. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Opens a regular file for buffered reading. {@code fix} completes the message of the
     * {@link UserError} thrown when the file is missing, is a folder or cannot be read.
     */
    public static InputStream open(Path file, String fix) {
        requireReadableFile(file, fix);
        try {
            return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (IOException e) {
            throw readFailure(file, e, fix);
        }
    }

    /** The size of a regular file, with the same checks as {@link #open}. */
    public static long size(Path file, String fix) {
        requireReadableFile(file, fix);
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw readFailure(file, e, fix);
        }
    }

    private static void requireReadableFile(Path file, String fix) {
        if (Files.isDirectory(file)) {
            throw UserError.of(file, "is a folder, not a file", fix);
        }
        if (!Files.exists(file)) {
            throw UserError.of(file, "no such file", fix);
        }
        if (!Files.isReadable(file)) {
            throw UserError.of(file, "permission denied (cannot read it)", "make it readable (chmod u+r), or " + fix);
        }
    }

    /** Translates an I/O failure while reading {@code file} into a one-line user error. */
    public static UserError readFailure(Path file, IOException e, String fix) {
        String problem = switch (e) {
            case NoSuchFileException x -> "no such file";
            case AccessDeniedException x -> "permission denied (cannot read it)";
            case FileSystemException x when x.getReason() != null -> "cannot read it (" + x.getReason() + ")";
            default -> "cannot read it (" + e + ")";
        };
        return UserError.of(file, problem, fix, e);
    }

    /** Translates an I/O failure while writing {@code file} into a one-line user error. */
    public static UserError writeFailure(Path file, IOException e) {
        String problem = switch (e) {
            case NoSuchFileException x -> "cannot write it: the folder " + file.toAbsolutePath().getParent()
                    + " does not exist";
            case AccessDeniedException x -> "permission denied (cannot write it)";
            case FileSystemException x when x.getReason() != null -> "cannot write it (" + x.getReason() + ")";
            default -> "cannot write it (" + e.getMessage() + ")";
        };
        return UserError.of(file, problem,
                "check that its folder exists, is writable and its disk has free space, or write somewhere else", e);
    }

    /** Deletes {@code dir}'s temp files {@code PREFIX<hex>.tmp} (see {@link #writeAtomically(Path, Body)}). */
    private static void removeStaleTemps(Path dir, String prefix) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp")
                    && n.substring(prefix.length(), n.length() - 4).matches("[0-9a-f]{1,16}");
        })) {
            for (Path p : s) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // no folder: the write below reports it
        }
    }

    /** Deletes a file or a folder with everything in it; nothing happens if it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Writes {@code bytes} to {@code file} atomically; see {@link #writeAtomically(Path, Body)}. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        writeAtomically(file, out -> out.write(bytes));
    }

    /**
     * Writes a temp file beside {@code file} with {@code body}, forces it to disk and renames it over
     * {@code file}; readers see the old file or the complete new one, never a partial one. The temp
     * file is removed if anything fails; one that a killed process left for the same target is removed
     * first (a file has one writer at a time).
     */
    public static void writeAtomically(Path file, Body body) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String prefix = "." + file.getFileName() + ".";
        removeStaleTemps(dir, prefix);
        // Not Files.createTempFile: that makes the file owner-only (0600); this keeps the umask's mode.
        Path tmp = dir.resolve(prefix + Long.toHexString(TEMP_NAMES.nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                body.writeTo(os);
                os.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
