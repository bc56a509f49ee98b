package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, made real with a file-size limit ({@code ulimit -f}) on a child JVM: the checkpoint files of the tiny
 * model (model.safetensors 50 KiB, optimizer.safetensors 100 KiB) cannot be written past 64 KiB, so the save fails
 * with "File too large" the way it fails with "No space left on device". The run must stop with one line, exit 2,
 * and leave no temporary file; a checkpoint saved before stays loadable.
 */
class FullDiskTest {
    @TempDir
    Path tmp;

    private static final String LIMIT = "-f 64"; // KiB

    @Test
    void aNewRunThatCannotSaveItsFirstCheckpointLeavesNoRunFolder() throws Exception {
        Path data = TinyData.write(tmp.resolve("data"), 3);
        Path run = tmp.resolve("run");
        Cli.Result r = ChildJvm.run(ChildJvm.underUlimit(LIMIT, ChildJvm.command(List.of("-Xmx256m"),
                TinyData.trainArgs(data, run, 2))), tmp.resolve("new.log"), 120);
        String line = r.userError();
        assertTrue(line.contains("optimizer.safetensors") && line.contains("File too large")
                && line.contains("free space"), line);
        assertFalse(Files.exists(run), "a run that saved nothing leaves nothing: " + RunFiles.snapshot(run).keySet());
        assertEquals(List.of(), RunFiles.debris(tmp));
    }

    @Test
    void aResumedRunThatCannotSaveKeepsItsLastCheckpoint() throws Exception {
        Path data = TinyData.write(tmp.resolve("data"), 4);
        Path run = tmp.resolve("run");
        Cli.Result first = Cli.run(TinyData.trainArgs(data, run, 1));
        assertEquals(0, first.exit(), first.err());
        Map<String, String> before = RunFiles.snapshot(run.resolve("checkpoints"));
        List<String> metricsBefore = Files.readAllLines(run.resolve("metrics.jsonl"));

        Cli.Result r = ChildJvm.run(ChildJvm.underUlimit(LIMIT, ChildJvm.command(List.of("-Xmx256m"),
                List.of("train", "--resume", "--out", run.toString(), "--epochs", "2"))), tmp.resolve("resume.log"), 120);
        String line = r.userError();
        assertTrue(line.contains("File too large"), line);
        assertEquals(before, RunFiles.snapshot(run.resolve("checkpoints")), "checkpoints untouched");
        RunFiles.assertCheckpointLoadable(run.resolve("checkpoints/last"));
        RunFiles.assertCheckpointLoadable(run.resolve("checkpoints/best"));
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(metricsBefore, metrics.subList(0, metricsBefore.size()), "the logged epochs are kept");
        assertTrue(metrics.size() <= metricsBefore.size() + 1, "at most the unsaved epoch is logged (resume drops it)");
        assertEquals(List.of(), RunFiles.debris(tmp));

        Cli.Result again = Cli.run("train", "--resume", "--out", run.toString(), "--epochs", "2");
        assertEquals(0, again.exit(), "with space again, the run resumes: " + again.err());
        assertEquals(List.of(1, 2), Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .map(l -> RunFiles.readJsonLine(l).get("epoch").asInt()).toList(), "each epoch logged once");
    }
}
