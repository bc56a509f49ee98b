package org.varsparse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.varsparse.UserError;

/**
 * A checkpoint read as a run's: {@code best} or {@code last} in the {@code checkpoints} folder beside a run's
 * run.json. Such a checkpoint has a way on when damaged (the run's other checkpoint, {@code --checkpoint}), and must
 * match the run's hyperparameters; a folder the library saved anywhere else has neither (see
 * {@link Checkpoint#FIX_LIBRARY}).
 */
final class RunCheckpoint {
    private RunCheckpoint() {
    }

    /** The fix for a damaged checkpoint read by a command with {@code --checkpoint best|last} (eval, encode, ...). */
    static String fixFor(String name) {
        return "pass --checkpoint " + other(name) + " to use the run's other checkpoint, or train anew";
    }

    static String other(String name) {
        return name.equals("best") ? "last" : "best";
    }

    /**
     * Whether {@code checkpointsDir/name} is a run's checkpoint: {@code best} or {@code last} in the
     * {@code checkpoints} folder of a run (beside its run.json), the folders eval, encode, classify and denoise-image
     * read. Only there is the run's other checkpoint ({@code --checkpoint}) a way on; a folder the library saved
     * anywhere else has none.
     */
    static boolean inRun(Path checkpointsDir, String name) {
        Path folder = checkpointsDir.getFileName();
        return (name.equals("best") || name.equals("last")) && folder != null && folder.toString().equals("checkpoints")
                && Files.isRegularFile(checkpointsDir.resolveSibling(RunDir.RUN_JSON));
    }

    /** The fix when no fix is given: {@link #fixFor} for a run's checkpoint, else {@link Checkpoint#FIX_LIBRARY}. */
    static String defaultFix(Path checkpointsDir, String name) {
        return inRun(checkpointsDir, name) ? fixFor(name) : Checkpoint.FIX_LIBRARY;
    }

    /**
     * Refuses a run's checkpoint (in {@code dir}, with hyperparameters {@code hyper}) that is not the run's: one whose
     * hyperparameters other than {@code epochs} (the one a resumed run may change) differ from those in the run's
     * {@code runJson} (hiddenDim aside where both are linear: it has none), such as another run's checkpoint copied
     * in. Its SHA-256 checks pass, since they only tie a checkpoint to its own files. A run.json without readable
     * hyperparameters leaves the check to the code that reads run.json.
     */
    static void checkOfRun(Path dir, JsonNode hyper, Path runJson, String fix) {
        JsonNode run;
        try {
            run = Json.MAPPER.readTree(runJson.toFile()).path("hyperparameters");
        } catch (IOException e) {
            return;
        }
        List<String> differ = new ArrayList<>();
        boolean linear = hyper.path("decoder").asText().equals("linear")
                && run.path("decoder").asText().equals("linear");
        for (var f : hyper.properties()) {
            JsonNode r = run.get(f.getKey());
            boolean unused = linear && f.getKey().equals("hiddenDim"); // older versions recorded it for linear runs
            if (!f.getKey().equals("epochs") && !unused && r != null && !sameValue(f.getValue(), r)) {
                differ.add(f.getKey() + " " + f.getValue().asText() + " (run.json: " + r.asText() + ")");
            }
        }
        if (!differ.isEmpty()) {
            throw UserError.of(dir, "is not this run's checkpoint: its " + Checkpoint.listed(differ) + " differ"
                    + (differ.size() == 1 ? "s" : "") + " from the run's hyperparameters in " + runJson, fix
                    + " (or put the run's own checkpoint back)");
        }
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        return a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) == 0 : a.equals(b);
    }
}
