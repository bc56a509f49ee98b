package org.varsparse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.varsparse.UserError;
import org.varsparse.io.FileIo;

/**
 * A run folder:
 * <pre>
 *   run.json              what was run: hyperparameters, data, backend, versions, command line
 *   metrics.jsonl         one JSON object per finished epoch (train and validation metrics, lr, best flag)
 *   checkpoints/last/     after every epoch;  checkpoints/best/  the lowest validation energy (METHOD §1.9)
 *   eval.json             test metrics of the best checkpoint (eval-last.json for --checkpoint last)
 *   pictures/             PNGs: atoms, reconstructions, training curves
 * </pre>
 */
final class RunDir {
    static final String RUN_JSON = "run.json";
    private static final String FIX_RUN = "pass the folder of a run written by 'varsparse train' (it holds run.json)";

    final Path dir;
    private final boolean created; // by createNew: the folder did not exist before

    private RunDir(Path dir, boolean created) {
        this.dir = dir;
        this.created = created;
    }

    /** Checks that {@code dir} can hold a new run: missing, or an empty folder (never a file or another run). */
    static void checkNew(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw UserError.of(dir, "is a file, not a folder", "pass --out a new or empty folder for the run");
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    if (Files.exists(dir.resolve(RUN_JSON))) {
                        throw UserError.of(dir, "already holds a run",
                                "continue that run with --resume, or pass --out a new or empty folder");
                    }
                    throw UserError.of(dir, "is not empty and holds no run (no " + RUN_JSON + "), so train would mix"
                            + " its files with yours", "pass --out a new or empty folder");
                }
            } catch (IOException e) {
                throw FileIo.readFailure(dir, e, "pass --out a readable folder");
            }
        } else if (!Files.exists(dir)) {
            Path parent = nearestExisting(dir);
            if (parent != null && (!Files.isDirectory(parent) || !Files.isWritable(parent))) {
                throw cannotCreate(dir, parent, new AccessDeniedException(parent.toString()));
            }
        }
    }

    /** A folder for a new run, created if missing (see {@link #checkNew}). */
    static RunDir createNew(Path dir) {
        checkNew(dir);
        boolean existed = Files.isDirectory(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            Path parent = nearestExisting(dir);
            if (parent != null && !existed) {
                throw cannotCreate(dir, parent, e);
            }
            throw FileIo.writeFailure(dir, e);
        }
        return new RunDir(dir, !existed);
    }

    /**
     * {@code dir} cannot be made under {@code parent}, its closest existing ancestor: a file there, no permission, or a
     * file system that takes no new folders (/proc reports the folder itself as missing, though its parent exists).
     */
    private static UserError cannotCreate(Path dir, Path parent, IOException e) {
        String why = !Files.isDirectory(parent) ? parent + " is a file, not a folder"
                : e instanceof AccessDeniedException ? "permission denied in " + parent
                : e instanceof NoSuchFileException ? parent + " exists but takes no new folders (it is not writable)"
                : "cannot create it in " + parent + " (" + e.getMessage() + ")";
        return UserError.of(dir, "cannot write it: " + why, "pass --out a new folder in a place you can write to", e);
    }

    /** The closest of {@code dir}'s ancestors that exists, or null. */
    private static Path nearestExisting(Path dir) {
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Removes everything a new run wrote ({@link #createNew} found the folder missing or empty), and the folder
     * itself if it made it. Best effort: a failure here must not hide the error that stopped the run.
     */
    void discardNew() {
        try {
            if (created) {
                FileIo.deleteTree(dir);
            } else {
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path p : s.toList()) {
                        FileIo.deleteTree(p);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // what is left is complete files (each was written atomically); the error that stopped the run matters more
        }
    }

    /** The folder of an existing run. */
    static RunDir existing(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw UserError.of(dir, Files.exists(dir) ? "is a file, not a run folder" : "no such run folder", FIX_RUN);
        }
        if (!Files.isRegularFile(dir.resolve(RUN_JSON))) {
            throw UserError.of(dir, "has no " + RUN_JSON + ", so it is not a varsparse run", FIX_RUN);
        }
        return new RunDir(dir, false);
    }

    /**
     * What {@code file} is to a run, when it is one of the files a run needs: its run.json, metrics.jsonl, an eval
     * JSON (eval.json, eval-last.json) or anything under its checkpoints folder; else null. A run is any folder
     * holding run.json, whatever command names it; links and other spellings are followed.
     */
    static String ownFileOf(Path file) {
        Path abs = real(file.toAbsolutePath().normalize());
        Path parent = abs.getParent();
        if (parent == null) {
            return null;
        }
        String name = abs.getFileName().toString();
        if (Files.isRegularFile(parent.resolve(RUN_JSON))
                && (name.equals(RUN_JSON) || name.equals("metrics.jsonl") || name.matches("eval(-.+)?\\.json"))) {
            return "the " + name + " of run " + parent;
        }
        for (Path p = parent; p != null && p.getParent() != null; p = p.getParent()) {
            if (p.getFileName().toString().equals("checkpoints") && Files.isRegularFile(p.resolveSibling(RUN_JSON))) {
                return "in the checkpoints of run " + p.getParent();
            }
        }
        return null;
    }

    /** {@code p} with links resolved as far as it exists (its missing tail kept as given). */
    private static Path real(Path p) {
        Path missing = Path.of(""), q = p;
        while (q != null && !Files.exists(q)) {
            missing = q.getFileName().resolve(missing);
            q = q.getParent();
        }
        try {
            return q == null ? p : q.toRealPath().resolve(missing).normalize();
        } catch (IOException e) {
            return p;
        }
    }

    Path runJson() {
        return dir.resolve(RUN_JSON);
    }

    JsonNode readRunJson() {
        return Json.read(runJson(), FIX_RUN);
    }

    Path metrics() {
        return dir.resolve("metrics.jsonl");
    }

    Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    Path evalJson(String checkpoint) {
        return dir.resolve(checkpoint.equals("best") ? "eval.json" : "eval-" + checkpoint + ".json");
    }

    Path pictures() {
        return dir.resolve("pictures");
    }

    /** Appends one line to metrics.jsonl and forces it to disk. */
    void appendMetrics(String jsonLine) {
        Path f = metrics();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap((jsonLine + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        } catch (IOException e) {
            throw FileIo.writeFailure(f, e);
        }
    }

    /** The epochs logged in metrics.jsonl, in order; a line cut short by a crash is skipped. */
    List<JsonNode> readMetrics() {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(metrics())) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(metrics(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw FileIo.readFailure(metrics(), e, "make it readable, or delete it (it is a log)");
        }
        for (String l : lines) {
            try {
                JsonNode n = Json.MAPPER.readTree(l);
                if (n != null && n.isObject() && n.has("epoch")) {
                    out.add(n);
                }
            } catch (IOException e) {
                // a partial last line from an interrupted write: the epoch is redone on --resume
            }
        }
        return out;
    }

    /** Keeps only the epochs up to {@code epoch} (1-based) in metrics.jsonl: what --resume continues from. */
    void truncateMetrics(int epoch) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : readMetrics()) {
            if (n.get("epoch").asInt() <= epoch) {
                sb.append(Json.line(n)).append('\n');
            }
        }
        try {
            FileIo.writeAtomically(metrics(), sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw FileIo.writeFailure(metrics(), e);
        }
    }
}
