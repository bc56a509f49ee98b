package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code classify} on a run trained one epoch on tiny synthetic MNIST: one CSV row per (features, n, seed). */
class ClassifyCommandTest {
    @Test
    void writesTableCsvAndPlot(@TempDir Path tmp) throws IOException {
        Path mnist = TinyMnist.write(tmp.resolve("mnist"), 3);
        Path run = tmp.resolve("run");
        TinyMnist.Result t = TinyMnist.run(TinyMnist.trainArgs(mnist, run, 1));
        assertEquals(0, t.exit(), t.err());
        TinyMnist.Result c = TinyMnist.run("classify", "--run", run.toString(), "--n", "1,2", "--seeds", "2",
                "--epochs", "3", "--backend", "scalar");
        assertEquals(0, c.exit(), c.err());
        List<String> csv = Files.readAllLines(run.resolve("classification/classification.csv"));
        assertEquals(1 + 2 * 3 * 2, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("codes,1,31,"), csv.get(1));
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            int best = Integer.parseInt(f[3]);
            assertTrue(best >= 1 && best <= 3, line);
            double acc = Double.parseDouble(f[5]);
            assertTrue(acc >= 0 && acc <= 1, line);
        }
        assertTrue(c.out().contains("best-validation epoch [last epoch]"), c.out());
        assertTrue(Files.size(run.resolve("classification/classification.png")) > 1000);
        // the report: self-contained, every picture of the run inlined
        TinyMnist.Result rep = TinyMnist.run("report", "--dir", run.toString());
        assertEquals(0, rep.exit(), rep.err());
        String html = Files.readString(run.resolve("report.html"));
        long pictures;
        try (var files = Files.list(run.resolve("pictures"))) {
            pictures = files.filter(f -> f.toString().endsWith(".png")).count();
        }
        assertEquals(pictures + 1, html.split("src=\"data:image/png;base64,", -1).length - 1, "pictures + classification plot");
        assertTrue(html.contains("Low-data classification") && html.contains("<th>test_top1_best</th>"));
        assertTrue(html.contains("Denoising"));
        assertTrue(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "offline page");
        TinyMnist.Result bad = TinyMnist.run("classify", "--run", run.toString(), "--n", "0");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--n 0"), bad.err());
    }
}
