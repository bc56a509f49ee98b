package org.varsparse.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.io.FileIo;

/**
 * Interrupted training: a child JVM training the tiny data set is killed with SIGKILL ({@link
 * Process#destroyForcibly()}) at seeded random moments spread over the whole run (start-up, the epochs, the
 * checkpoint writes, the final evaluation), then resumed to completion. After each kill the last checkpoint loads
 * (with the real loader: {@code eval --checkpoint last}), and at most the epoch in progress is lost: the checkpoint
 * holds every epoch the child had reported done. After the resume, the model and optimizer files of {@code last}
 * and {@code best} equal an uninterrupted run's byte for byte, metrics.jsonl equals it but for the timing fields,
 * and no temporary file is left.
 *
 * <p>Slow (about a minute: a child JVM per run): tagged, left out of the default test run; {@code ./run.sh
 * kill-test} runs it. The scalar backend, so that any difference would be the crash handling's, not the kernels'.
 */
@Tag("slow")
class KillResumeTest {
    private static final long SEED = 20261127;
    private static final int TRIALS = 12; // 2 + 8 + 2, see the phases below
    private static final int EPOCHS = 8;
    private static final List<String> TIMING = List.of("seconds", "train_seconds", "heap_peak_bytes");

    @TempDir
    Path tmp;

    private record Trial(int index, Kill kill, boolean killed, int reported, int saved, String finish) {
    }

    /** Batches of 50: 12 training steps and 5 validation batches per epoch, about 0.2 s. */
    private static List<String> train(Path data, Path out) {
        return TinyData.trainArgs(data, out, EPOCHS, "--max-inference-steps", "40", "--batch-size", "50");
    }

    @Test
    void killedAnywhereThenResumedEqualsAnUninterruptedRun() throws Exception {
        Path data = TinyData.write(tmp.resolve("data"), 21);
        Path reference = tmp.resolve("reference");
        Timeline ref = timeline(data, reference);

        // Seeded kill moments spread over the run: 2 in the start-up (JVM, data, first steps), one in each epoch,
        // 2 in the final evaluation and pictures. The machine's load varies, so an epoch's kill is timed from the
        // moment the trial itself reports the epoch before it, plus a random part of an epoch.
        SplittableRandom rng = new SplittableRandom(SEED);
        List<Kill> kills = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            kills.add(new Kill(-1, rng.nextDouble() * ref.startup()));
        }
        for (int e = 1; e <= EPOCHS; e++) {
            kills.add(new Kill(e - 1, rng.nextDouble() * ref.epoch()));
        }
        for (int k = 0; k < 2; k++) {
            kills.add(new Kill(EPOCHS, rng.nextDouble() * 0.9 * ref.finish()));
        }
        List<Trial> trials = new ArrayList<>();
        for (Kill k : kills) {
            trials.add(trial(trials.size(), k, data, reference));
        }
        assertEquals(TRIALS, trials.size());

        System.out.printf(Locale.ROOT, "kill test: seed %d; uninterrupted run %.2f s (start-up %.2f s, epochs of %.2f s,"
                + " final evaluation %.2f s)%n", SEED, ref.total(), ref.startup(), ref.epoch(), ref.finish());
        System.out.println("  trial  kill: after epoch, + s  killed  epochs reported  last saved  then");
        for (Trial t : trials) {
            System.out.printf(Locale.ROOT, "  %5d  %16s  %5.2f  %6s  %15d  %10s  %s%n", t.index(),
                    t.kill().afterEpoch() < 0 ? "launch" : Integer.toString(t.kill().afterEpoch()), t.kill().delay(),
                    t.killed(), t.reported(), t.saved() < 0 ? "none" : Integer.toString(t.saved()), t.finish());
        }
        long killed = trials.stream().filter(Trial::killed).count();
        long midRun = trials.stream().filter(t -> t.killed() && t.saved() >= 1 && t.saved() < EPOCHS).count();
        assertTrue(killed >= 10, "at least 10 runs were killed: " + killed);
        assertTrue(midRun >= 5, "kills spread over the epochs (killed with 1.." + (EPOCHS - 1) + " epochs saved): "
                + midRun);
    }

    /** A kill {@code delay} seconds after the run reported {@code afterEpoch} epochs done (-1: after its launch). */
    private record Kill(int afterEpoch, double delay) {
    }

    /** An uninterrupted run's phases, in seconds: until its first epoch starts, one epoch, after its last epoch. */
    private record Timeline(double startup, double epoch, double finish, double total) {
    }

    /** Runs the reference to completion, watching its stdout for the epoch lines (flushed as each epoch ends). */
    private Timeline timeline(Path data, Path run) throws Exception {
        Path log = tmp.resolve("reference.log");
        Path out = log.resolveSibling("reference.log.out");
        long t0 = System.nanoTime();
        Process p = ChildJvm.builder(ChildJvm.command(List.of("-Xmx256m"), train(data, run)), log).start();
        double first = -1, last = -1;
        while (!p.waitFor(5, TimeUnit.MILLISECONDS)) {
            int n = epochLines(out);
            double now = (System.nanoTime() - t0) / 1e9;
            if (n >= 1 && first < 0) {
                first = now;
            }
            if (n >= EPOCHS && last < 0) {
                last = now;
            }
            assertTrue(now < 300, "the reference run finishes");
        }
        double total = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, p.exitValue(), Files.readString(log));
        assertTrue(first > 0 && last > first, "epoch lines seen at " + first + " and " + last + " s");
        double epoch = (last - first) / (EPOCHS - 1);
        return new Timeline(first - epoch, epoch, total - last, total);
    }

    private static int epochLines(Path stdout) throws IOException {
        if (!Files.exists(stdout)) {
            return 0;
        }
        return (int) Files.readAllLines(stdout, StandardCharsets.UTF_8).stream()
                .filter(l -> l.matches("^ *\\d+/" + EPOCHS + " .*")).count();
    }

    private Trial trial(int i, Kill kill, Path data, Path reference) throws Exception {
        Path run = tmp.resolve("trial-" + i);
        Path log = tmp.resolve("trial-" + i + ".log");
        Path out = log.resolveSibling(log.getFileName() + ".out");
        Process p = ChildJvm.builder(ChildJvm.command(List.of("-Xmx256m"), train(data, run)), log).start();
        boolean exited = false;
        while (kill.afterEpoch() >= 0 && epochLines(out) < kill.afterEpoch() && !exited) {
            exited = p.waitFor(2, TimeUnit.MILLISECONDS);
        }
        exited = exited || p.waitFor(Math.round(kill.delay() * 1000), TimeUnit.MILLISECONDS);
        if (!exited) {
            p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally block runs
            p.waitFor();
        }
        int reported = epochLines(out);
        int saved = savedEpoch(run);
        String where = "trial " + i + " (" + kill + ")";
        if (saved >= 0) {
            Cli.Result ev = Cli.run("eval", "--run", run.toString(), "--checkpoint", "last", "--no-fista", "--backend",
                    "scalar");
            assertEquals(0, ev.exit(), where + ": the last checkpoint loads: " + ev.err());
            assertTrue(saved >= reported && saved <= reported + 1, where + ": epochs reported done " + reported
                    + ", last holds epoch " + saved + " (at most the epoch in progress may be lost)");
            assertTrue(metricsEpochs(run) >= saved, where + ": metrics.jsonl holds every saved epoch");
        } else {
            assertEquals(0, reported, where + ": an epoch was reported done but no checkpoint exists");
        }

        String finish;
        if (saved < 0) {
            // killed before its first checkpoint: --resume says so, and its fix is a new run in this --out
            if (Files.exists(run.resolve("run.json"))) {
                String no = Cli.run("train", "--resume", "--out", run.toString()).userError();
                assertTrue(no.contains("has no checkpoint"), no);
            }
            FileIo.deleteTree(run);
            finish = "trained anew";
            assertEquals(0, ChildJvm.run(ChildJvm.command(List.of("-Xmx256m"), train(data, run)), log, 300).exit());
        } else if (RunFiles.readJson(run.resolve("run.json")).has("finished")) {
            finish = exited ? "finished before the kill" : "complete (killed on its way out)";
        } else {
            // all epochs saved but the final evaluation unfinished: --resume does that part
            finish = saved < EPOCHS ? "resumed after epoch " + saved : "resumed: final evaluation";
            // the backend is not part of the run's settings: name it again (auto could pick simd, other bits)
            Cli.Result r = ChildJvm.run(ChildJvm.command(List.of("-Xmx256m"), List.of("train", "--resume", "--out",
                    run.toString(), "--backend", "scalar")), log, 300);
            assertEquals(0, r.exit(), where + ": " + r.err());
            assertTrue(r.out().contains("resuming after epoch " + saved) && r.out().contains("== summary"), r.out());
        }
        assertTrue(RunFiles.readJson(run.resolve("run.json")).has("finished"), where + ": run.json marks the run done");

        for (String ck : List.of("last", "best")) {
            for (String f : List.of("model.safetensors", "optimizer.safetensors")) {
                assertArrayEquals(Files.readAllBytes(reference.resolve("checkpoints").resolve(ck).resolve(f)),
                        Files.readAllBytes(run.resolve("checkpoints").resolve(ck).resolve(f)), where + ": " + ck + "/" + f);
            }
        }
        assertEquals(withoutTiming(reference), withoutTiming(run), where + ": metrics.jsonl");
        assertEquals(List.of(), RunFiles.debris(run), where + ": temporary files left");
        return new Trial(i, kill, !exited, reported, saved, finish);
    }

    /** The epoch of checkpoint last (or of the copy a crash between renames left aside), -1 if none. */
    private static int savedEpoch(Path run) {
        for (String d : List.of("last", ".last.old")) {
            Path j = run.resolve("checkpoints").resolve(d).resolve("checkpoint.json");
            if (Files.isRegularFile(j)) {
                return RunFiles.readJson(j).get("epoch").asInt();
            }
        }
        return -1;
    }

    /** Complete lines in metrics.jsonl (a line cut by the kill is not one). */
    private static int metricsEpochs(Path run) throws IOException {
        Path m = run.resolve("metrics.jsonl");
        if (!Files.exists(m)) {
            return 0;
        }
        String s = Files.readString(m, StandardCharsets.UTF_8);
        return (int) s.chars().filter(c -> c == '\n').count();
    }

    private static List<String> withoutTiming(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8).stream().map(l -> {
            try {
                ObjectNode n = (ObjectNode) RunFiles.JSON.readTree(l);
                n.remove(TIMING);
                return n.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }
}
