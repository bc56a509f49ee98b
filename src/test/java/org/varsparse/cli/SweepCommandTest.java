package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.train.Preset;

/** {@code sweep} over two presets and two λ factors on tiny synthetic MNIST, one epoch each. */
class SweepCommandTest {
    @Test
    void trainsEachPointAndWritesCsvAndPlot(@TempDir Path tmp) throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 5);
        Path out = tmp.resolve("sweep");
        TinyMnist.Result r = TinyMnist.run("sweep", "--presets", "mnist-sdl,mnist-vdl", "--factors", "0.5,4",
                "--epochs", "1", "--out", out.toString(), "--mnist-dir", mnist.toString(), "--allow-small-data",
                "--val-size", "250", "--code-dim", "16", "--max-inference-steps", "30", "--backend", "scalar");
        assertEquals(0, r.exit(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(5, csv.size(), String.join("\n", csv));
        String[] first = csv.get(1).split(",");
        assertEquals("mnist-sdl", first[0]);
        assertEquals(Preset.MNIST_SDL.config().sparsityReg() * 0.5, Double.parseDouble(first[2]), 1e-12);
        String[] last = csv.get(4).split(",");
        assertEquals(Preset.MNIST_VDL.config().sparsityReg() * 4, Double.parseDouble(last[2]), 1e-12);
        for (String line : csv.subList(1, 5)) {
            String[] f = line.split(",");
            double psnr = Double.parseDouble(f[3]), sp = Double.parseDouble(f[4]);
            assertTrue(psnr > 0 && psnr < 60 && sp >= 0 && sp <= 100, line);
            assertEquals(9, f.length, line);
            assertTrue(Double.parseDouble(f[6]) > 0 && Double.parseDouble(f[8]) > 0, line); // FISTA PSNR, seconds
            double fromEval = Json.read(out.resolve(f[5]).resolve("eval.json"), "").at("/encoder/psnr").asDouble();
            assertEquals(fromEval, psnr, 1e-3);
            assertEquals(Double.parseDouble(f[2]),
                    Json.read(out.resolve(f[5]).resolve("run.json"), "").at("/hyperparameters/sparsityReg").asDouble(), 1e-12);
        }
        assertTrue(Files.size(out.resolve("sweep.png")) > 1000);
        assertTrue(r.out().contains("wrote") && r.out().contains("4 points in"), r.out());
        TinyMnist.Result rep = TinyMnist.run("report", "--dir", out.toString());
        assertEquals(0, rep.exit(), rep.err());
        String html = Files.readString(out.resolve("report.html"));
        assertEquals(1, html.split("data:image/png;base64,", -1).length - 1);
        assertTrue(html.contains("<td>mnist-vdl</td>"), html);
    }

    /**
     * An interrupted sweep: point 1 finished, point 2 stopped in its final evaluation, point 3 killed before its first
     * checkpoint, point 4 never started. --resume keeps point 1 byte for byte, evaluates point 2 without training
     * it again, and trains points 3 and 4 anew; the CSV then equals that of the uninterrupted sweep.
     */
    @Test
    void resumeFinishesAnInterruptedSweep(@TempDir Path tmp) throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 5);
        Path out = tmp.resolve("sweep");
        String[] args = {"sweep", "--presets", "mnist-sdl,mnist-vdl", "--factors", "0.5,4", "--epochs", "1", "--out",
                out.toString(), "--mnist-dir", mnist.toString(), "--allow-small-data", "--val-size", "250",
                "--code-dim", "16", "--max-inference-steps", "30", "--backend", "scalar"};
        TinyMnist.Result r = TinyMnist.run(args);
        assertEquals(0, r.exit(), r.err());
        List<String> full = Files.readAllLines(out.resolve("sweep.csv"));

        TinyMnist.Result again = TinyMnist.run(args);
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("already holds a sweep") && again.err().contains("--resume"), again.err());

        Path p1 = out.resolve("mnist-sdl-x0.5"), p2 = out.resolve("mnist-sdl-x4"), p3 = out.resolve("mnist-vdl-x0.5");
        byte[] p1Model = Files.readAllBytes(p1.resolve("checkpoints/last/model.safetensors"));
        byte[] p2Model = Files.readAllBytes(p2.resolve("checkpoints/last/model.safetensors"));
        long p1Time = Files.getLastModifiedTime(p1.resolve("eval.json")).toMillis();
        Path run2 = p2.resolve("run.json"); // point 2: all epochs saved, stopped before its evaluation ended
        Files.writeString(run2, Files.readString(run2).replaceAll(",\\s*\"finished\"\\s*:\\s*\"[^\"]*\"", ""));
        Files.delete(p2.resolve("eval.json"));
        org.varsparse.io.FileIo.deleteTree(p3); // point 3: killed before its first checkpoint
        Files.createDirectories(p3);
        Files.writeString(p3.resolve("run.json"), "{}");
        org.varsparse.io.FileIo.deleteTree(out.resolve("mnist-vdl-x4")); // point 4: never started
        Files.writeString(out.resolve("sweep.csv"), String.join("\n", full.subList(0, 2)) + "\n");

        TinyMnist.Result bad = TinyMnist.run("sweep", "--resume", "--out", out.toString(), "--epochs", "3");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--epochs") && bad.err().contains("leave --epochs out"), bad.err());

        TinyMnist.Result res = TinyMnist.run("sweep", "--resume", "--out", out.toString());
        assertEquals(0, res.exit(), res.err());
        assertTrue(res.err().contains("finished before, kept") && res.err().contains("continuing from its last checkpoint"),
                res.err());
        assertEquals(p1Time, Files.getLastModifiedTime(p1.resolve("eval.json")).toMillis());
        assertArrayEquals(p1Model, Files.readAllBytes(p1.resolve("checkpoints/last/model.safetensors")));
        assertArrayEquals(p2Model, Files.readAllBytes(p2.resolve("checkpoints/last/model.safetensors")));
        assertTrue(Files.readString(p2.resolve("run.json")).contains("\"finished\""));
        List<String> resumed = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(full.size(), resumed.size());
        for (int i = 0; i < full.size(); i++) { // same points; only the seconds column (the last) may differ
            assertEquals(full.get(i).substring(0, full.get(i).lastIndexOf(',')),
                    resumed.get(i).substring(0, resumed.get(i).lastIndexOf(',')));
        }
    }

    /**
     * A sweep whose second point fails after the first finished is kept (with its log naming the failure and
     * --resume), unlike one whose first point fails; --resume then trains the rest. A sweep.json naming a point twice
     * (an older varsparse accepted that) is resumed with each point once.
     */
    @Test
    void aFailureAfterAFinishedPointKeepsTheSweep(@TempDir Path tmp) throws Exception {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 5);
        Path out = tmp.resolve("sweep");
        Path blocker = out.resolve("mnist-vdl-x4"); // point 2's run folder: a file there makes its train fail
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<TinyMnist.Result> sweep = pool.submit(() -> TinyMnist.run("sweep", "--presets", "mnist-vdl",
                    "--factors", "1,4", "--epochs", "1", "--out", out.toString(), "--mnist-dir", mnist.toString(),
                    "--allow-small-data", "--val-size", "250", "--code-dim", "16", "--max-inference-steps", "30",
                    "--backend", "scalar"));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.isDirectory(out.resolve("mnist-vdl-x1")) && System.nanoTime() < deadline) {
                Thread.sleep(5); // point 1 training: it takes longer than this loop's step
            }
            assertTrue(Files.isDirectory(out.resolve("mnist-vdl-x1")), "point 1 started");
            try {
                Files.writeString(blocker, "not a run folder", StandardOpenOption.CREATE_NEW);
            } catch (IOException raced) { // point 1 finished before this thread ran again: nothing to test this time
                sweep.get(120, TimeUnit.SECONDS);
                Assumptions.assumeTrue(false, "point 2 started before the test could block it: " + raced);
            }
            TinyMnist.Result r = sweep.get(120, TimeUnit.SECONDS);
            assertEquals(2, r.exit(), r.err());
            String line = r.errLines().get(r.errLines().size() - 1);
            assertTrue(line.startsWith("error: " + out.resolve("mnist-vdl-x4.log") + ": train mnist-vdl-x4 failed (")
                    && line.contains("--resume --out " + out), line);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(Files.isRegularFile(out.resolve("mnist-vdl-x1/eval.json")), "the finished point is kept");
        assertEquals(2, Files.readAllLines(out.resolve("sweep.csv")).size());

        Files.delete(blocker);
        Path json = out.resolve("sweep.json");
        ObjectNode opts = (ObjectNode) Json.read(json, "");
        ((ArrayNode) opts.get("presets")).add("MNIST-VDL");
        ((ArrayNode) opts.get("factors")).add(1);
        Json.write(json, opts);
        TinyMnist.Result res = TinyMnist.run("sweep", "--resume", "--out", out.toString());
        assertEquals(0, res.exit(), res.err());
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("mnist-vdl,1,") && csv.get(2).startsWith("mnist-vdl,4,"),
                String.join("\n", csv));
    }
}
