package org.varsparse.viz;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Per-epoch training curves as one PNG: a title strip over line charts stacked with a shared epoch axis.
 *
 * <p>The usual picture ({@link #write(Path, String, Map, Map, Map, Map)}) has three panels: PSNR in dB (validation,
 * and training when given), sparsity in % of zero code entries, and energy. A series maps epoch to value; NaN,
 * infinite and null values are left out (an epoch without validation, a diverged run), a series with nothing left is
 * not drawn, and a single epoch shows as a single marker.
 */
public final class TrainingCurves {
    /** Image width in pixels. */
    public static final int WIDTH = 900;
    /** Height of one chart panel in pixels. */
    public static final int PANEL_HEIGHT = 300;
    /** Height of the title strip above the panels in pixels. */
    public static final int TITLE_HEIGHT = 40;

    /** One chart: its title, y-axis label and named series (legend order is the map's order). */
    public record Panel(String title, String yLabel, Map<String, Map<Integer, Double>> series) {
        public Panel {
            if (title == null || yLabel == null || series == null) {
                throw new IllegalArgumentException("panel title, yLabel and series must not be null");
            }
            for (var e : series.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("panel '" + title + "': series names and values must not be"
                            + " null (use an empty map for a missing series)");
                }
                for (Integer epoch : e.getValue().keySet()) {
                    if (epoch == null) {
                        throw new IllegalArgumentException("panel '" + title + "', series '" + e.getKey()
                                + "': null epoch");
                    }
                }
            }
            series = new LinkedHashMap<>(series);
        }
    }

    private TrainingCurves() {
    }

    /**
     * The three standard panels. valPsnr: validation PSNR (dB); trainPsnr: training PSNR (dB), or an empty map;
     * sparsityPercent: % of zero code entries (100·L0); energy: average energy. All map epoch to value.
     */
    public static void write(Path file, String title, Map<Integer, Double> valPsnr, Map<Integer, Double> trainPsnr,
                             Map<Integer, Double> sparsityPercent, Map<Integer, Double> energy) throws IOException {
        if (valPsnr == null || trainPsnr == null || sparsityPercent == null || energy == null) {
            throw new IllegalArgumentException("series must not be null (pass an empty map for no training PSNR):"
                    + " valPsnr " + (valPsnr == null ? "null" : "set") + ", trainPsnr "
                    + (trainPsnr == null ? "null" : "set") + ", sparsityPercent "
                    + (sparsityPercent == null ? "null" : "set") + ", energy " + (energy == null ? "null" : "set"));
        }
        Map<String, Map<Integer, Double>> psnr = new LinkedHashMap<>();
        psnr.put("validation", valPsnr);
        psnr.put("training", trainPsnr);
        write(file, title, List.of(
                new Panel("PSNR", "PSNR (dB)", psnr),
                new Panel("Sparsity", "zero code entries (%)", Map.of("validation", sparsityPercent)),
                new Panel("Energy", "energy", Map.of("validation", energy))));
    }

    /** Writes {@link #render} as a PNG, atomically. */
    public static void write(Path file, String title, List<Panel> panels) throws IOException {
        Png.write(file, render(title, panels));
    }

    /** A {@link #WIDTH} × ({@link #TITLE_HEIGHT} + panels·{@link #PANEL_HEIGHT}) RGB image. */
    public static BufferedImage render(String title, List<Panel> panels) {
        if (title == null || panels == null || panels.isEmpty() || panels.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("need a title and at least one panel, got title " + title
                    + ", panels " + panels);
        }
        Png.headless();
        BufferedImage out = new BufferedImage(WIDTH, TITLE_HEIGHT + panels.size() * PANEL_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            int tw = g.getFontMetrics().stringWidth(title);
            g.drawString(title, Math.max(4, (WIDTH - tw) / 2), TITLE_HEIGHT - 12);
            double[] epochs = epochRange(panels);
            for (int i = 0; i < panels.size(); i++) {
                XYChart chart = chart(panels.get(i), epochs);
                g.drawImage(BitmapEncoder.getBufferedImage(chart), 0, TITLE_HEIGHT + i * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** {first, last} epoch with a finite value in any panel, or null if there is none. */
    private static double[] epochRange(List<Panel> panels) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Panel panel : panels) {
            for (Map<Integer, Double> series : panel.series().values()) {
                double[] x = finitePoints(series)[0];
                if (x.length > 0) {
                    lo = Math.min(lo, x[0]);
                    hi = Math.max(hi, x[x.length - 1]);
                }
            }
        }
        return lo <= hi ? new double[]{lo, hi} : null;
    }

    /** One panel; epochs (nullable) is the shared x range, so the stacked panels line up. */
    private static XYChart chart(Panel panel, double[] epochs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(panel.title())
                .xAxisTitle("epoch").yAxisTitle(panel.yLabel()).build();
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(220, 220, 220));
        // Below the plot: inside it, a legend hides the end of the curves, which is the part one looks at.
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setXAxisDecimalPattern("0");
        if (epochs != null && epochs[0] < epochs[1]) {
            styler.setXAxisMin(epochs[0]);
            styler.setXAxisMax(epochs[1]);
        }
        int drawn = 0;
        for (var e : panel.series().entrySet()) {
            double[][] xy = finitePoints(e.getValue());
            if (xy[0].length > 0) {
                chart.addSeries(e.getKey(), xy[0], xy[1]);
                drawn++;
            }
        }
        if (drawn == 0) {
            // XChart cannot lay out axes without data: say so in the title instead of failing the whole picture.
            chart.setTitle(panel.title() + " (no finite values yet)");
            chart.addSeries(" ", new double[]{0}, new double[]{0}).setEnabled(false);
            styler.setLegendVisible(false);
        }
        return chart;
    }

    /** {epochs, values} of the finite entries, in epoch order. */
    private static double[][] finitePoints(Map<Integer, Double> series) {
        List<double[]> pts = new ArrayList<>();
        for (var e : new TreeMap<>(series).entrySet()) {
            Double v = e.getValue();
            if (v != null && Double.isFinite(v)) {
                pts.add(new double[]{e.getKey(), v});
            }
        }
        double[][] xy = new double[2][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            xy[0][i] = pts.get(i)[0];
            xy[1][i] = pts.get(i)[1];
        }
        return xy;
    }
}
