package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.testutil.FileTrees;

/**
 * The states a SIGKILL leaves, made by hand so that each is certain to be covered (the slow KillResumeTest reaches
 * them at random): temp files of atomic writes, a half-written checkpoint folder, a checkpoint moved aside between
 * two renames, a log line for an epoch that was not saved, a run killed in its final evaluation. --resume must
 * continue from each to the same files as an uninterrupted run, leaving no temporary file.
 */
class CrashStatesTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path straight;

    @BeforeAll
    static void uninterrupted() {
        data = TinyData.write(tmp.resolve("data"), 9);
        straight = tmp.resolve("straight");
        assertEquals(0, Cli.run(TinyData.trainArgs(data, straight, 2)).exit());
    }

    private static Path oneEpoch(String name) {
        Path run = tmp.resolve(name);
        Cli.Result r = Cli.run(TinyData.trainArgs(data, run, 1));
        assertEquals(0, r.exit(), r.err());
        return run;
    }

    private static void resumeAndCompare(Path run) throws IOException {
        Cli.Result r = Cli.run("train", "--resume", "--out", run.toString(), "--epochs", "2", "--backend", "scalar");
        assertEquals(0, r.exit(), r.err());
        for (String ck : List.of("last", "best")) {
            for (String f : List.of("model.safetensors", "optimizer.safetensors")) {
                assertArrayEquals(Files.readAllBytes(straight.resolve("checkpoints").resolve(ck).resolve(f)),
                        Files.readAllBytes(run.resolve("checkpoints").resolve(ck).resolve(f)), ck + "/" + f);
            }
        }
        assertEquals(epochs(straight), epochs(run));
        assertEquals(List.of(), RunFiles.debris(run), "temporary files left");
        assertTrue(RunFiles.readJson(run.resolve("run.json")).has("finished"));
    }

    private static List<Integer> epochs(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .map(l -> RunFiles.readJsonLine(l).get("epoch").asInt()).toList();
    }

    @Test
    void tempFilesAndHalfCheckpointsOfAKilledRunAreCleanedUp() throws IOException {
        Path run = oneEpoch("debris");
        Path ck = run.resolve("checkpoints");
        Files.writeString(run.resolve(".metrics.jsonl.5f3a9c.tmp"), "{\"epoch\":2,");
        Files.writeString(run.resolve(".run.json.77aa01.tmp"), "{");
        Files.writeString(Files.createDirectories(ck.resolve(".best.partial")).resolve("model.safetensors"), "half");
        Files.writeString(Files.createDirectories(ck.resolve(".last.partial")).resolve("model.safetensors"), "half");
        FileTrees.copyTree(ck.resolve("last"), ck.resolve(".last.old")); // moved aside, the new one complete
        resumeAndCompare(run);
    }

    @Test
    void aCheckpointLeftAsideBetweenTheTwoRenamesIsResumedFrom() throws IOException {
        Path run = oneEpoch("between-renames");
        Path ck = run.resolve("checkpoints");
        Files.move(ck.resolve("last"), ck.resolve(".last.old"));
        resumeAndCompare(run);
    }

    @Test
    void aLogLineOfAnUnsavedEpochIsDropped() throws IOException {
        Path run = oneEpoch("unsaved-epoch");
        Path m = run.resolve("metrics.jsonl");
        List<String> lines = Files.readAllLines(m);
        ObjectNode second = (ObjectNode) RunFiles.readJsonLine(lines.get(0));
        second.put("epoch", 2);
        Files.writeString(m, lines.get(0) + "\n" + second + "\n"); // logged, then killed before its checkpoint
        resumeAndCompare(run);
    }

    @Test
    void aRunKilledInItsFinalEvaluationIsFinishedByResume() throws IOException {
        Path run = tmp.resolve("final");
        assertEquals(0, Cli.run(TinyData.trainArgs(data, run, 2)).exit());
        ObjectNode j = (ObjectNode) RunFiles.readJson(run.resolve("run.json"));
        j.remove("finished");
        Files.writeString(run.resolve("run.json"), j.toString());
        Files.delete(run.resolve("eval.json"));
        Files.writeString(run.resolve("pictures").resolve(".curves.png.0123abcd.tmp"), "half a png"); // killed mid-write
        Cli.Result r = Cli.run("train", "--resume", "--out", run.toString(), "--backend", "scalar");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("resuming after epoch 2") && r.out().contains("== summary"), r.out());
        assertTrue(Files.isRegularFile(run.resolve("eval.json")));
        assertEquals(List.of(), RunFiles.debris(run));
        String again = Cli.run("train", "--resume", "--out", run.toString()).userError();
        assertTrue(again.contains("has already trained 2 of 2 epochs"), again);
        assertFalse(again.contains("finished"), again);
    }
}
