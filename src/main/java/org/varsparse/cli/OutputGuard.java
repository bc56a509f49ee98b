package org.varsparse.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.varsparse.UserError;

/**
 * Where a command writes its results, checked before the long work so that a bad {@code --out} never costs a
 * finished computation: the folder exists or can be created and takes files, and no earlier result is replaced
 * without {@code --force}.
 */
final class OutputGuard {
    private OutputGuard() {
    }

    /**
     * Refuses to replace {@code file} unless {@code force} (the rule of every command that writes results), and a
     * run's own files ({@link RunDir#ownFileOf}) even with it: a result never costs the run it came from.
     */
    static void checkOverwrite(Path file, boolean force) {
        refuseRunFile(file);
        if (Files.exists(file) && !force) {
            throw UserError.of(file, "already exists", "pass --force to overwrite it, or another --out");
        }
    }

    private static void refuseRunFile(Path file) {
        String own = RunDir.ownFileOf(file);
        if (own != null) {
            throw UserError.of(file, "is " + own + ", which the run needs (--force replaces earlier results, never"
                    + " a run's files)", "pass --out a path outside the run's own files (a new name in the run"
                    + " folder is fine)");
        }
    }

    /**
     * Checks that {@code dir} is a folder, or can be created, and that files can be written in it (tried with a
     * temp file, so read-only and immutable folders are caught whoever runs it); then that none of {@code files}
     * (in {@code dir}) is a run's own file ({@link #checkOverwrite}), a folder, or exists without {@code force}.
     */
    static void checkFolder(Path dir, boolean force, Path... files) {
        for (Path f : files) {
            refuseRunFile(f); // before the write test below puts a temp file there
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw UserError.of(dir, "is a file, not a folder", "pass --out a folder");
        }
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw UserError.of(dir, "cannot be created: " + existing + " is a file, not a folder", "pass --out a folder");
        }
        try {
            Files.delete(Files.createTempFile(existing, ".varsparse-", ".tmp"));
        } catch (IOException e) {
            String why = switch (e) {
                case AccessDeniedException x -> "permission denied";
                case FileSystemException x when x.getReason() != null -> x.getReason();
                default -> e.toString();
            };
            throw UserError.of(existing, "cannot write in this folder (" + why + ")",
                    "make it writable, or pass --out another folder", e);
        }
        for (Path f : files) {
            if (Files.isDirectory(f)) {
                throw UserError.of(f, "is a folder where a result file goes", "move it away, or pass --out another folder");
            }
            checkOverwrite(f, force);
        }
    }
}
