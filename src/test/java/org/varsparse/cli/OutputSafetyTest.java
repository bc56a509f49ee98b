package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.testutil.FileTrees;

/**
 * Commands that write results never replace earlier ones without --force, check where they write before the long
 * work, and say in one line what is wrong with their input. One run trained one epoch on tiny MNIST, copied per test.
 */
class OutputSafetyTest {
    @TempDir
    static Path shared;
    static Path mnist, pristine;

    @BeforeAll
    static void trainOnce() throws IOException {
        mnist = TinyMnist.write(shared.resolve("mnist"), 5);
        pristine = shared.resolve("run");
        TinyMnist.Result t = TinyMnist.run(TinyMnist.trainArgs(mnist, pristine, 1));
        assertEquals(0, t.exit(), t.err());
    }

    private static Path copy(Path to) {
        return FileTrees.copyTree(pristine, to);
    }

    /** One line on stderr, exit 2, naming every part of {@code expected}. */
    private static void assertUserError(TinyMnist.Result r, String... expected) {
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), "expected '" + e + "' in: " + r.err());
        }
    }

    private static String[] classify(Path run, String seeds, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("classify", "--run", run.toString(), "--n", "1",
                "--seeds", seeds, "--epochs", "2", "--features", "codes", "--backend", "scalar"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void evalKeepsTrainsResultsUnlessForced(@TempDir Path tmp) throws IOException {
        Path run = copy(tmp.resolve("run"));
        Path eval = run.resolve("eval.json");
        byte[] before = Files.readAllBytes(eval);
        assertTrue(Json.read(eval, "").get("fista").isObject(), "train evaluates with FISTA");

        TinyMnist.Result drop = TinyMnist.run("eval", "--run", run.toString(), "--no-fista", "--noise", "0.5",
                "--backend", "scalar");
        assertUserError(drop, eval.toString(), "FISTA", "σ = 1", "--noise 0.5,1", "--force");
        assertArrayEquals(before, Files.readAllBytes(eval));

        // the same settings, or more of them, lose nothing: no --force needed
        TinyMnist.Result same = TinyMnist.run("eval", "--run", run.toString(), "--backend", "scalar");
        assertEquals(0, same.exit(), same.err());
        TinyMnist.Result more = TinyMnist.run("eval", "--run", run.toString(), "--noise", "0.5,1", "--backend", "scalar");
        assertEquals(0, more.exit(), more.err());
        assertEquals(2, Json.read(eval, "").get("denoising").size());

        TinyMnist.Result forced = TinyMnist.run("eval", "--run", run.toString(), "--no-fista", "--noise", "0.5",
                "--force", "--backend", "scalar");
        assertEquals(0, forced.exit(), forced.err());
        JsonNode now = Json.read(eval, "");
        assertTrue(now.get("fista").isNull());
        assertEquals(1, now.get("denoising").size());
    }

    /** train --resume evaluates again at the end: with its own --noise and every level an earlier eval added. */
    @Test
    void resumedTrainKeepsTheNoiseLevelsOfAnEarlierEval(@TempDir Path tmp) throws IOException {
        Path run = copy(tmp.resolve("run"));
        Path eval = run.resolve("eval.json");
        TinyMnist.Result more = TinyMnist.run("eval", "--run", run.toString(), "--noise", "1,1.5", "--backend", "scalar");
        assertEquals(0, more.exit(), more.err());

        TinyMnist.Result resumed = TinyMnist.run("train", "--resume", "--out", run.toString(), "--epochs", "2",
                "--noise", "0.5");
        assertEquals(0, resumed.exit(), resumed.err());
        JsonNode now = Json.read(eval, "");
        List<Double> sigmas = new java.util.ArrayList<>();
        now.get("denoising").forEach(d -> sigmas.add(d.get("sigma").asDouble()));
        assertEquals(List.of(0.5, 1.0, 1.5), sigmas); // train's own level first: the file was written anew
    }

    @Test
    void classifyRefusesToReplaceItsResultsAndChecksOutBeforeTraining(@TempDir Path tmp) throws IOException {
        Path run = copy(tmp.resolve("run"));
        Path csv = run.resolve("classification/classification.csv");
        TinyMnist.Result first = TinyMnist.run(classify(run, "2"));
        assertEquals(0, first.exit(), first.err());
        byte[] before = Files.readAllBytes(csv);

        TinyMnist.Result again = TinyMnist.run(classify(run, "1"));
        assertUserError(again, csv.toString(), "already exists", "--force");
        assertArrayEquals(before, Files.readAllBytes(csv));

        TinyMnist.Result forced = TinyMnist.run(classify(run, "1", "--force"));
        assertEquals(0, forced.exit(), forced.err());
        assertEquals(1 + 1, Files.readAllLines(csv).size());

        // a bad --out is reported before any training (one line: no progress printed before it)
        assertUserError(TinyMnist.run(classify(run, "1", "--out", run.resolve("eval.json").toString())),
                "eval.json", "is a file, not a folder");
        assertUserError(TinyMnist.run(classify(run, "1", "--out", run.resolve("eval.json/sub").toString())),
                "cannot be created");
        // a new file in a folder that holds other files loses nothing
        Path user = Files.createDirectories(tmp.resolve("user"));
        Files.writeString(user.resolve("notes.txt"), "mine");
        TinyMnist.Result into = TinyMnist.run(classify(run, "1", "--out", user.toString()));
        assertEquals(0, into.exit(), into.err());
        assertEquals("mine", Files.readString(user.resolve("notes.txt")));
    }

    @Test
    void classifyNamesOnlyTheBadOption() {
        TinyMnist.Result r = TinyMnist.run("classify", "--run", pristine.toString(), "--seeds", "1", "--epochs", "0");
        assertUserError(r, "--epochs 0", "must be at least 1");
        assertFalse(r.err().contains("--seeds"), r.err());
        assertUserError(TinyMnist.run("classify", "--run", pristine.toString(), "--seeds", "0"), "--seeds 0");
    }

    @Test
    void denoiseImageRefusesMnistRunsAndMissingImages(@TempDir Path tmp) throws IOException {
        Path photo = PatchTrainTest.writePhotos(tmp.resolve("photos"), 1, 3).resolve("photo0.png");
        assertUserError(TinyMnist.run("denoise-image", "--run", pristine.toString(), "--image", photo.toString(),
                "--backend", "scalar"), pristine.toString(), "MNIST digits", "--preset patch-");
        assertFalse(Files.exists(pristine.resolve("pictures/denoise-photo0.png")));
        Path missing = tmp.resolve("nonexist.png");
        assertUserError(TinyMnist.run("denoise-image", "--run", pristine.toString(), "--image", missing.toString()),
                missing.toString(), "no such file");
    }

    @Test
    void reportReplacesOnlyItsOwnPage(@TempDir Path tmp) throws IOException {
        Path run = copy(tmp.resolve("run"));
        TinyMnist.Result first = TinyMnist.run("report", "--dir", run.toString());
        assertEquals(0, first.exit(), first.err());
        TinyMnist.Result again = TinyMnist.run("report", "--dir", run.toString());
        assertEquals(0, again.exit(), again.err()); // an earlier report of the same folder: written again

        Path notes = Files.writeString(tmp.resolve("notes.txt"), "my notes");
        assertUserError(TinyMnist.run("report", "--dir", run.toString(), "--out", notes.toString()),
                notes.toString(), "--force");
        assertEquals("my notes", Files.readString(notes));
        // another run's report is not this one's
        Path other = copy(tmp.resolve("other"));
        Path page = tmp.resolve("page.html");
        assertEquals(0, TinyMnist.run("report", "--dir", other.toString(), "--out", page.toString()).exit());
        assertUserError(TinyMnist.run("report", "--dir", run.toString(), "--out", page.toString()), "--force");
        TinyMnist.Result forced = TinyMnist.run("report", "--dir", run.toString(), "--out", notes.toString(), "--force");
        assertEquals(0, forced.exit(), forced.err());
        assertTrue(Files.readString(notes).startsWith("<!DOCTYPE html>"));
        // a run folder moved elsewhere: its own report.html is still its report
        Path moved = Files.move(run, tmp.resolve("moved"));
        TinyMnist.Result after = TinyMnist.run("report", "--dir", moved.toString());
        assertEquals(0, after.exit(), after.err());
    }

    @Test
    void reportRefusesACorruptMetricsLogButSkipsALastLineCutShort(@TempDir Path tmp) throws IOException {
        Path run = copy(tmp.resolve("run"));
        Path metrics = run.resolve("metrics.jsonl");
        String good = Files.readString(metrics);
        Files.writeString(metrics, "garbage\n" + good);
        assertUserError(TinyMnist.run("report", "--dir", run.toString()), metrics + ", line 1", "not an epoch record");
        assertFalse(Files.exists(run.resolve("report.html")));

        Files.writeString(metrics, good + "{\"epoch\": 2, \"seco", StandardCharsets.UTF_8);
        TinyMnist.Result cut = TinyMnist.run("report", "--dir", run.toString());
        assertEquals(0, cut.exit(), cut.err());
        assertTrue(cut.err().contains("warning: " + metrics + ", line 2 is cut short"), cut.err());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("line 2 is cut short"), "a note on the page");
        assertTrue(html.contains("<tr><td>1</td>"), "epoch 1 still in the table");
        // the same line with its newline is not a crash's leftover but damage
        Files.writeString(metrics, "\n", StandardOpenOption.APPEND);
        assertUserError(TinyMnist.run("report", "--dir", run.toString()), metrics + ", line 2");
    }

    /**
     * A line that is JSON but not an epoch record as train writes it (wrong or missing fields), and a last line of
     * bytes that no JSON starts with, are damage, not a write cut short: the report stops on them. A last line that
     * is the start of a record, cut anywhere (mid-number, mid-literal), is left out with a warning; a record with a
     * null number (train's NaN) is an epoch.
     */
    @Test
    void reportRefusesLinesThatAreNotEpochRecords(@TempDir Path tmp) throws IOException {
        Path run = copy(tmp.resolve("run"));
        Path metrics = run.resolve("metrics.jsonl");
        String good = Files.readString(metrics);
        assertEquals(1, good.lines().count(), good);
        String record = good.strip();
        for (String bad : List.of("{\"epoch\":\"x\"}", "{\"epoch\":3}", "[1,2]", "17",
                record.replace("\"epoch\":1,", "\"epoch\":0,"), record.replace("\"epoch\":1,", "\"epoch\":1.5,"),
                record.replaceFirst(",\"best\":(true|false)", ""),
                record.replaceFirst("\"val_psnr\":[^,]*", "\"val_psnr\":\"high\""),
                record.replaceFirst("\"val_dead_codes\":[^,]*", "\"val_dead_codes\":[]"))) {
            assertTrue(!bad.equals(record), "the replacement changed the record: " + bad);
            for (String end : List.of("\n", "")) { // a complete JSON text is not cut short, newline or not
                Files.writeString(metrics, good + bad + end);
                assertUserError(TinyMnist.run("report", "--dir", run.toString()), metrics + ", line 2",
                        "is not an epoch record");
                assertFalse(Files.exists(run.resolve("report.html")), bad);
            }
        }
        for (byte[] garbage : List.of(new byte[] {0, (byte) 0xff, 0x13, 'x', (byte) 0x80}, new byte[] {'{', 0, 1},
                "{\"epoch\": 2,, \"seco".getBytes(StandardCharsets.UTF_8))) {
            Files.writeString(metrics, good);
            Files.write(metrics, garbage, StandardOpenOption.APPEND);
            TinyMnist.Result r = TinyMnist.run("report", "--dir", run.toString());
            assertUserError(r, metrics + ", line 2", "is not an epoch record");
            assertFalse(r.err().contains("\0") || r.err().contains("\uFFFD"),
                    "no control or undecodable bytes printed: " + r.err());
        }
        for (String cut : List.of("{\"epoch\": 2, \"seconds\": 1.", "{\"epoch\": 2, \"best\": tr", "{", "{\"ep")) {
            Files.writeString(metrics, good + cut);
            TinyMnist.Result r = TinyMnist.run("report", "--dir", run.toString());
            assertEquals(0, r.exit(), cut + ": " + r.err());
            assertTrue(r.err().contains("line 2 is cut short"), r.err());
        }
        Files.writeString(metrics, good + record.replace("\"epoch\":1,", "\"epoch\":2,")
                .replaceFirst("\"val_psnr\":[^,]*", "\"val_psnr\":null") + "\n");
        TinyMnist.Result nan = TinyMnist.run("report", "--dir", run.toString());
        assertEquals(0, nan.exit(), nan.err());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<tr><td>2</td>") && html.contains("<td>NaN</td>"), html);
    }
}
