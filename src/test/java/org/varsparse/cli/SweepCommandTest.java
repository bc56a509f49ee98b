package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
