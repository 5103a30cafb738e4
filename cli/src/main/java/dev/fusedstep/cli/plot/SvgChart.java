package dev.fusedstep.cli.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a {@link Chart} as a standalone SVG document (SVG 1.1, hand-written XML, no dependency). */
public final class SvgChart implements Canvas {
    private final StringBuilder svg = new StringBuilder();

    private SvgChart() {}

    /** The chart as SVG text. */
    public static String render(Chart chart) {
        SvgChart c = new SvgChart();
        c.svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(ChartPainter.WIDTH)
                .append("\" height=\"").append(ChartPainter.HEIGHT).append("\" viewBox=\"0 0 ").append(ChartPainter.WIDTH)
                .append(' ').append(ChartPainter.HEIGHT).append("\" font-family=\"Helvetica, Arial, sans-serif\">\n")
                .append("<title>").append(escape(chart.title())).append("</title>\n");
        ChartPainter.paint(chart, c);
        c.svg.append("</svg>\n");
        return c.svg.toString();
    }

    public static void write(Chart chart, Path file) throws IOException {
        Files.writeString(file, render(chart), StandardCharsets.UTF_8);
    }

    @Override
    public void rect(double x, double y, double w, double h, String stroke, String fill) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" stroke=\"%s\" fill=\"%s\"/>%n",
                x, y, w, h, stroke, fill));
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, String color, double width) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>%n",
                x1, y1, x2, y2, color, width));
    }

    @Override
    public void polyline(double[] xs, double[] ys, int count, String color, double width) {
        svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"")
                .append(String.format(Locale.ROOT, "%.1f", width)).append("\" stroke-linejoin=\"round\" points=\"");
        for (int i = 0; i < count; i++) {
            svg.append(String.format(Locale.ROOT, i == 0 ? "%.1f,%.1f" : " %.1f,%.1f", xs[i], ys[i]));
        }
        svg.append("\"/>\n");
    }

    @Override
    public void text(double x, double y, String text, double size, Anchor anchor, boolean bold, boolean vertical) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"%s\"%s%s>",
                x, y, size, anchor.name().toLowerCase(Locale.ROOT), bold ? " font-weight=\"bold\"" : "",
                vertical ? String.format(Locale.ROOT, " transform=\"rotate(-90 %.1f %.1f)\"", x, y) : ""));
        svg.append(escape(text)).append("</text>\n");
    }

    /** Text and attribute values with XML's five special characters escaped (HTML takes the same). */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }
}
