package org.varsparse.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.varsparse.UserError;
import org.varsparse.io.FileIo;

/**
 * What {@link Checkpoint#save} may replace: only what can be nothing but a checkpoint, namely a missing path, an empty
 * folder, or a folder holding checkpoint.json and checkpoint files only (likewise for the {@code .NAME.partial} and
 * {@code .NAME.old} names beside it). Anything else (a file, a folder of the user's) is refused before anything is
 * written, so a save never deletes data that is not a checkpoint.
 */
final class CheckpointTarget {
    private static final String FIX_IN_THE_WAY = "save to a new or empty folder, or delete it yourself if you no longer"
            + " need what it holds";

    private static final List<String> CHECKPOINT_FILES = List.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER,
            Checkpoint.JSON);

    private CheckpointTarget() {
    }

    /**
     * Refuses a {@code target} that a save would delete but that is not a checkpoint: a file, or a folder that is not
     * empty and is not a checkpoint folder (checkpoint.json and checkpoint files only).
     */
    static void checkReplaceable(Path target) {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw UserError.of(target, "is a file, not a checkpoint folder, and saving would replace it",
                    FIX_IN_THE_WAY);
        }
        List<String> foreign = foreignEntries(target);
        if (!foreign.isEmpty()) {
            throw UserError.of(target, "holds files that are not a checkpoint's (" + Checkpoint.listed(foreign)
                    + "), and saving would delete them", FIX_IN_THE_WAY);
        }
        if (!listing(target).isEmpty() && !Files.isRegularFile(target.resolve(Checkpoint.JSON))) {
            throw UserError.of(target, "is not a checkpoint folder (it has no " + Checkpoint.JSON + "), and saving"
                    + " would delete what it holds", FIX_IN_THE_WAY);
        }
    }

    /**
     * Refuses a {@code .NAME.partial} or {@code .NAME.old} that a save would delete but that holds something other
     * than (part of) a checkpoint: such a name is a save's own, so this is only a file or folder of the user's that
     * happens to have it.
     */
    static void checkOwnDebris(Path p, Path target) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || !foreignEntries(p).isEmpty()) {
            throw UserError.of(p, "is in the way of saving " + target.getFileName() + " (a save uses this name for its"
                    + " temporary copy and deletes it) and holds something other than a checkpoint",
                    "move or rename it, or save to another folder");
        }
    }

    /** The entries of folder {@code dir} that no checkpoint holds (not a checkpoint file, nor a temp file of one). */
    private static List<String> foreignEntries(Path dir) {
        List<String> foreign = new ArrayList<>();
        for (Path p : listing(dir)) {
            String n = p.getFileName().toString();
            boolean own = CHECKPOINT_FILES.contains(n) || CHECKPOINT_FILES.stream().anyMatch(
                    f -> n.startsWith("." + f + ".") && n.endsWith(".tmp")); // FileIo.writeAtomically's temp names
            if (!own || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                foreign.add(n);
            }
        }
        return foreign;
    }

    private static List<Path> listing(Path dir) {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw FileIo.readFailure(dir, e, "make the folder readable, or save to another folder");
        }
    }
}
