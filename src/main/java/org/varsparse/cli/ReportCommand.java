package org.varsparse.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.varsparse.UserError;
import org.varsparse.io.FileIo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code varsparse report}: one self-contained HTML page (tables, and every picture inlined as a base64 PNG, no
 * scripts, no external files) for a run folder (run.json, eval.json, metrics.jsonl, pictures/, classification/)
 * or a sweep folder (sweep.csv, sweep.png).
 */
@Command(name = "report", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Write DIR/report.html: a self-contained page (pictures inlined) for a run or sweep folder."})
final class ReportCommand implements Callable<Integer> {
    private static final String MARK = "written by varsparse report from ";

    private final Main.Io io;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "a run folder (train) or a sweep folder (sweep)")
    Path dir;

    @Option(names = "--out", paramLabel = "FILE",
            description = "the page (default: DIR/report.html); an earlier report of DIR there is replaced")
    Path out;

    @Option(names = "--force", description = "overwrite --out even if it is not an earlier report of DIR")
    boolean force;

    ReportCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw UserError.of(dir, "is not a folder", "pass a run or sweep folder");
        }
        StringBuilder h = new StringBuilder();
        boolean sweep = Files.isRegularFile(dir.resolve("sweep.csv"));
        if (!sweep && !Files.isRegularFile(dir.resolve("run.json"))) {
            throw UserError.of(dir, "holds neither run.json nor sweep.csv", "pass a folder written by train or sweep");
        }
        Path file = out != null ? out : dir.resolve("report.html");
        String footer = "<p style=\"color:#777;font-size:12px\">" + MARK
                + esc(dir.toAbsolutePath().normalize().toString()) + "</p>";
        // DIR/report.html: any report (the folder may have been moved); elsewhere: a report of this folder
        checkReplaceable(file, out == null ? MARK : footer);
        String title = (sweep ? "varsparse sweep: " : "varsparse run: ") + dir.toAbsolutePath().normalize().getFileName();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:24px;max-width:1150px}"
                        + "table{border-collapse:collapse;margin:8px 0 18px}td,th{border:1px solid #bbb;padding:3px 8px;"
                        + "text-align:right;font-size:13px}th{background:#eee}td:first-child{text-align:left}"
                        + "img{max-width:100%;image-rendering:pixelated;border:1px solid #ddd}h2{margin-top:28px}"
                        + "code{background:#f4f4f4}table.kv td{text-align:left;word-break:break-all;max-width:950px}"
                        + "details{margin-bottom:18px}</style></head><body>\n<h1>").append(esc(title)).append("</h1>\n");
        if (sweep) {
            h.append("<h2>Test PSNR vs sparsity (encoder codes)</h2>\n").append(csvTable(dir.resolve("sweep.csv")));
            h.append(img(dir.resolve("sweep.png")));
        } else {
            runSections(h);
        }
        h.append(footer).append("</body></html>\n");
        try {
            Files.writeString(file, h.toString());
        } catch (IOException e) {
            throw FileIo.writeFailure(file, e);
        }
        io.out().println("wrote " + file);
        return 0;
    }

    /**
     * A report is a view of DIR, written again from it at will, so an earlier report of the same folder is replaced
     * freely; any other file (a user's notes, a report of another run) needs --force. {@code mark}: the text that
     * makes {@code file} such a report.
     */
    private void checkReplaceable(Path file, String mark) {
        if (Files.isDirectory(file)) {
            throw UserError.of(file, "is a folder", "pass --out a file name such as report.html");
        }
        if (force || !Files.exists(file)) {
            return;
        }
        boolean ours;
        try {
            ours = Files.size(file) < (1L << 30) && new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                    .contains(mark);
        } catch (IOException e) {
            ours = false;
        }
        if (!ours) {
            throw UserError.of(file, "already exists and is not a report of " + dir,
                    "pass --force to overwrite it, or another --out");
        }
    }

    private void runSections(StringBuilder h) {
        JsonNode run = Json.read(dir.resolve("run.json"), "pass a run folder");
        h.append("<h2>Run</h2>\n<table class=\"kv\"><tr><th>preset</th><td>").append(esc(run.path("preset").asText()))
                .append("</td></tr><tr><th>data</th><td>").append(esc(run.path("data").toString().replace(",", ", ")))
                .append("</td></tr><tr><th>backend</th><td>").append(esc(run.path("backend").asText()))
                .append("</td></tr><tr><th>hyperparameters</th><td>")
                .append(esc(run.path("hyperparameters").toString().replace(",", ", ")))
                .append("</td></tr></table>\n");
        Path evalJson = dir.resolve("eval.json");
        if (Files.isRegularFile(evalJson)) {
            JsonNode ev = Json.read(evalJson, "rerun eval");
            h.append("<h2>Test set (checkpoint ").append(esc(ev.path("checkpoint").asText())).append(", epoch ")
                    .append(ev.path("epoch").asInt()).append(", ").append(ev.path("test_images").asInt())
                    .append(" images)</h2>\n<table><tr><th>codes</th><th>PSNR (dB)</th><th>sparsity (% zeros)</th></tr>");
            row(h, "encoder E(y)", ev.at("/encoder/psnr"), ev.at("/encoder/sparsity"));
            if (ev.path("fista").isObject()) {
                row(h, "FISTA", ev.at("/fista/psnr"), ev.at("/fista/sparsity"));
            }
            h.append("</table>\n<h3>Denoising (σ in normalized units)</h3>\n<table><tr><th>σ</th><th>noisy input (dB)</th>"
                    + "<th>D(E(y_noisy)) (dB)</th><th>sparsity (% zeros)</th></tr>");
            for (JsonNode d : ev.path("denoising")) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f</td><td>%.2f</td><td>%.1f</td></tr>",
                        d.path("sigma").asText(), d.path("psnr_noisy_img").asDouble(), d.path("psnr_noisy_rec").asDouble(),
                        100 * d.path("L0_noisy").asDouble()));
            }
            h.append("</table>\n");
        }
        Path metrics = dir.resolve("metrics.jsonl");
        if (Files.isRegularFile(metrics)) {
            h.append("<h2>Epochs</h2>\n<table><tr><th>epoch</th><th>seconds</th><th>train PSNR</th><th>val energy</th>"
                    + "<th>val PSNR</th><th>val L0 %</th><th>code std (mean / min)</th><th>dead codes %</th>"
                    + "<th>decoder column norm (mean / max)</th><th>best</th></tr>");
            List<String> notes = new ArrayList<>();
            for (JsonNode m : epochs(metrics, notes)) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.1f</td><td>%.2f</td><td>%.5f</td><td>%.2f</td>"
                                + "<td>%.1f</td><td>%.3f / %.3f</td><td>%.1f</td><td>%.3f / %.3f</td><td>%s</td></tr>",
                        m.path("epoch").asInt(), num(m, "seconds"), num(m, "train_psnr"), num(m, "val_energy"),
                        num(m, "val_psnr"), 100 * num(m, "val_sparsity"), num(m, "val_code_std_mean"),
                        num(m, "val_code_std_min"), 100 * num(m, "val_dead_codes"), num(m, "decoder_col_norm_mean"),
                        num(m, "decoder_col_norm_max"), m.path("best").asBoolean() ? "*" : ""));
            }
            h.append("</table>\n");
            notes.forEach(n -> h.append("<p><b>Note:</b> ").append(esc(n)).append("</p>\n"));
        }
        Path cls = dir.resolve("classification/classification.csv");
        if (Files.isRegularFile(cls)) {
            h.append("<h2>Low-data classification</h2>\n").append(classificationSummary(cls))
                    .append("<details><summary>every classifier (classification.csv)</summary>\n")
                    .append(csvTable(cls)).append("</details>\n");
            h.append(img(dir.resolve("classification/classification.png")));
        }
        for (Path png : pngs(dir.resolve("pictures"))) {
            h.append("<h3>").append(esc(png.getFileName().toString())).append("</h3>\n").append(img(png));
            Path json = png.resolveSibling(png.getFileName().toString().replaceAll("\\.png$", ".json"));
            if (Files.isRegularFile(json)) {
                JsonNode j = Json.read(json, "rerun the command that wrote it, or delete it");
                h.append("<table><tr><th>σ</th><th>noisy (dB)</th><th>denoised (dB)</th><th>patches</th></tr>");
                for (JsonNode r : j.path("results")) {
                    h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f</td><td>%.2f</td><td>%d</td></tr>",
                            r.path("sigma").asText(), r.path("psnr_noisy").asDouble(), r.path("psnr_denoised").asDouble(),
                            r.path("patches").asInt()));
                }
                h.append("</table>\n");
            }
        }
    }

    /** The fields of an epoch record that every version of train writes, and the report shows. */
    private static final List<String> NUMBERS = List.of("seconds", "train_psnr", "val_energy", "val_psnr",
            "val_sparsity");
    /** Fields that later versions of train write and the report shows: when present, numbers. */
    private static final List<String> LATER_NUMBERS = List.of("val_code_std_mean", "val_code_std_min", "val_dead_codes",
            "decoder_col_norm_mean", "decoder_col_norm_max");

    /**
     * The epochs of metrics.jsonl. A line that is not an epoch record as train writes it (an object with an integer
     * epoch >= 1, a boolean best, and the numbers the table shows: a non-finite one is written as null) means the log
     * is not what train wrote, so the table would mislead: a user error naming the line. Only a last line cut short
     * (no newline, and the start of a JSON object: train was stopped while appending it; --resume redoes that epoch)
     * is left out, with a warning and a note on the page.
     */
    private List<JsonNode> epochs(Path metrics, List<String> notes) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(metrics);
        } catch (IOException e) {
            throw FileIo.readFailure(metrics, e, "make it readable, or delete it (it is a log)");
        }
        int lastStart = 0; // where the last line starts; it has no newline unless the file ends with one
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lastStart = i + 1;
            }
        }
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1); // last is "" after a newline
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(lines[i]);
            } catch (IOException e) {
                n = null;
            }
            if (isEpochRecord(n)) {
                out.add(n);
            } else if (n == null && i == lines.length - 1
                    && isObjectStart(Arrays.copyOfRange(bytes, lastStart, bytes.length))) {
                String note = metrics + ", line " + (i + 1) + " is cut short (train was stopped while writing it);"
                        + " the report leaves it out";
                io.err().println("warning: " + note);
                notes.add(note);
            } else {
                String shown = lines[i].length() > 60 ? lines[i].substring(0, 60) + "…" : lines[i];
                throw UserError.of(metrics + ", line " + (i + 1), "is not an epoch record ("
                                + shown.strip().replaceAll("[\\p{Cntrl}\\uFFFD]", "?") + ")",
                        "restore the file, or delete that line or the whole file (it is a log) to write the report");
            }
        }
        return out;
    }

    /** A metrics.jsonl line as train writes it: see {@link #epochs}. */
    private static boolean isEpochRecord(JsonNode n) {
        if (n == null || !n.isObject() || !n.path("epoch").canConvertToInt() || !n.path("epoch").isIntegralNumber()
                || n.path("epoch").asInt() < 1 || !n.path("best").isBoolean()) {
            return false;
        }
        for (String f : NUMBERS) {
            if (!n.path(f).isNumber() && !n.path(f).isNull()) {
                return false;
            }
        }
        for (String f : LATER_NUMBERS) {
            if (n.has(f) && !n.path(f).isNumber() && !n.path(f).isNull()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code line} is the beginning of a JSON object that more bytes could complete: what a write stopped
     * part way leaves. Jackson's non-blocking parser reads what it has and asks for more instead of failing at the end.
     */
    private static boolean isObjectStart(byte[] line) {
        try (JsonParser p = Json.MAPPER.getFactory().createNonBlockingByteArrayParser()) {
            ((ByteArrayFeeder) p.getNonBlockingInputFeeder()).feedInput(line, 0, line.length);
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                return false;
            }
            while (t != JsonToken.NOT_AVAILABLE) {
                if (p.getParsingContext().inRoot()) {
                    return false; // the object ended: a complete line, not a cut-short one
                }
                t = p.nextToken();
            }
            return true;
        } catch (IOException e) {
            return false; // not JSON
        }
    }

    /** A number of an epoch record; NaN for null (train writes a non-finite value as null). */
    private static double num(JsonNode m, String field) {
        return m.path(field).isNumber() ? m.path(field).asDouble() : Double.NaN;
    }

    /** Mean test top-1 (%) per features and n over seeds: best-validation epoch and last epoch. */
    private static String classificationSummary(Path csv) {
        java.util.Map<String, java.util.Map<Integer, double[]>> agg = new java.util.TreeMap<>();
        java.util.TreeSet<Integer> ns = new java.util.TreeSet<>();
        try {
            for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
                String[] f = line.split(",");
                if (f.length < 9) {
                    continue;
                }
                int n = Integer.parseInt(f[1]);
                ns.add(n);
                double[] a = agg.computeIfAbsent(f[0], k -> new java.util.TreeMap<>()).computeIfAbsent(n, k -> new double[3]);
                a[0] += Double.parseDouble(f[5]);
                a[1] += Double.parseDouble(f[8]);
                a[2]++;
            }
        } catch (IOException | RuntimeException e) {
            throw UserError.of(csv, "cannot be read (" + e.getMessage() + ")", "rerun classify", e);
        }
        StringBuilder t = new StringBuilder("<p>Test top-1 accuracy (%), mean over seeds: best-validation epoch"
                + " [last epoch, what the reference reports]</p><table><tr><th>n per class</th>");
        agg.keySet().forEach(k -> t.append("<th>").append(esc(k)).append("</th>"));
        t.append("</tr>");
        for (int n : ns) {
            t.append("<tr><td>").append(n).append("</td>");
            for (var byN : agg.values()) {
                double[] a = byN.get(n);
                t.append(a == null ? "<td></td>" : String.format(Locale.ROOT, "<td>%.2f [%.2f]</td>",
                        100 * a[0] / a[2], 100 * a[1] / a[2]));
            }
            t.append("</tr>");
        }
        return t.append("</table>\n").toString();
    }

    private static void row(StringBuilder h, String name, JsonNode psnr, JsonNode sparsity) {
        h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f</td><td>%.1f</td></tr>", name, psnr.asDouble(),
                100 * sparsity.asDouble()));
    }

    private static List<Path> pngs(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            throw UserError.of(dir, "cannot be listed (" + e.getMessage() + ")", "check its permissions", e);
        }
    }

    private static String csvTable(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (IOException e) {
            throw UserError.of(csv, "cannot be read (" + e.getMessage() + ")", "rerun the command that wrote it", e);
        }
        StringBuilder t = new StringBuilder("<table>");
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String cell = i == 0 ? "th" : "td";
            t.append("<tr>");
            for (String c : lines.get(i).split(",")) {
                t.append('<').append(cell).append('>').append(esc(c)).append("</").append(cell).append('>');
            }
            t.append("</tr>");
        }
        return t.append("</table>\n").toString();
    }

    private static String img(Path png) {
        if (!Files.isRegularFile(png)) {
            return "";
        }
        try {
            return "<p><img alt=\"" + esc(png.getFileName().toString()) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(Files.readAllBytes(png)) + "\"></p>\n";
        } catch (IOException e) {
            throw UserError.of(png, "cannot be read (" + e.getMessage() + ")", "rerun the command that wrote it", e);
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
