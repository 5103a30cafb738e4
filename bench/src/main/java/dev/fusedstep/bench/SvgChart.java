package dev.fusedstep.bench;

import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart of {@link BenchRows}: one bar per row (its GB/s), with a vertical tick at
 * its probe's GB/s on the same line, so "how close to the memory system" reads at a glance.
 * Probe rows are bars too (their tick sits at their own end). Plain SVG 1.1, no dependency.
 */
public final class SvgChart {
    private SvgChart() {}

    static final int ROW_HEIGHT = 16, LABEL_WIDTH = 330, PLOT_WIDTH = 520, TOP = 40, BOTTOM = 30;

    public static String render(List<BenchRows.Row> rows, String title) {
        double max = 1;
        for (BenchRows.Row r : rows) {
            max = Math.max(max, r.gbps());
            if (r.probeGbps() != null) {
                max = Math.max(max, r.probeGbps());
            }
        }
        max = niceCeiling(max);
        int height = TOP + rows.size() * ROW_HEIGHT + BOTTOM;
        int width = LABEL_WIDTH + PLOT_WIDTH + 70;
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", width, height, width, height));
        b.append("<title>").append(esc(title)).append("</title>\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>\n",
                8, esc(title)));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"32\" fill=\"#555\">GB/s from the bytes each kernel must"
                + " move; black tick: its same-traffic probe</text>\n", 8));
        // grid: five steps
        for (int k = 0; k <= 5; k++) {
            double x = LABEL_WIDTH + PLOT_WIDTH * k / 5.0;
            int yEnd = TOP + rows.size() * ROW_HEIGHT;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n",
                    x, TOP, x, yEnd));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
                    x, yEnd + 14, BenchRows.fmt1(max * k / 5.0).replace(".0", "")));
        }
        int i = 0;
        for (BenchRows.Row r : rows) {
            int y = TOP + i++ * ROW_HEIGHT;
            String label = r.kernel() + " " + r.layout() + " " + BenchRows.sizeLabel(r.size()) + " " + r.variant()
                    + (r.threads() > 1 ? " x" + r.threads() : "");
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                    LABEL_WIDTH - 6, y + ROW_HEIGHT - 4, esc(label)));
            double w = PLOT_WIDTH * r.gbps() / max;
            b.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\""
                    + " fill=\"%s\"><title>%s</title></rect>\n", LABEL_WIDTH, y + 2, w, ROW_HEIGHT - 4,
                    color(r.variant()), esc(label + ": " + BenchRows.fmt1(r.gbps()) + " GB/s")));
            if (r.probeGbps() != null) {
                double px = LABEL_WIDTH + PLOT_WIDTH * r.probeGbps() / max;
                b.append(String.format(Locale.ROOT, "<line class=\"probe\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                        + " stroke=\"black\" stroke-width=\"2\"/>\n", px, y + 1, px, y + ROW_HEIGHT - 1));
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%s</text>\n",
                    LABEL_WIDTH + w + 4, y + ROW_HEIGHT - 4, BenchRows.fmt1(r.gbps())));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String color(String variant) {
        return switch (variant) {
            case "probe" -> "#bbbbbb";
            case "scalar" -> "#e07b39";
            case "plainLoop" -> "#9467bd";
            case "nd4j", "nd4j1" -> "#d62728";
            case "vectorAll" -> "#2ca02c";
            default -> "#1f77b4";
        };
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
