package dev.fusedstep.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.fusedstep.cli.plot.SvgChart;

/** The demo's {@code index.html}: its notes, tables and charts (the SVG files next to it) on one page. */
final class HtmlReport {
    private HtmlReport() {}

    /** A part of the page: a heading, paragraphs, an optional table and the charts' file names. */
    record Section(String heading, List<String> paragraphs, Table table, List<String> images) {}

    static void write(Path file, String title, List<Section> sections) throws IOException {
        StringBuilder sb = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>%s</title>
                <style>
                body { font-family: Helvetica, Arial, sans-serif; max-width: 960px; margin: 2em auto; color: #222; }
                table { border-collapse: collapse; margin: 1em 0; }
                th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
                td.num { text-align: right; font-variant-numeric: tabular-nums; }
                img { max-width: 100%%; }
                </style>
                </head>
                <body>
                <h1>%s</h1>
                """.formatted(escape(title), escape(title)));
        for (Section s : sections) {
            sb.append("<h2>").append(escape(s.heading())).append("</h2>\n");
            for (String p : s.paragraphs()) {
                sb.append("<p>").append(escape(p)).append("</p>\n");
            }
            if (s.table() != null) {
                sb.append(s.table().html());
            }
            for (String img : s.images()) {
                sb.append("<p><img src=\"").append(escape(img)).append("\" alt=\"").append(escape(img)).append("\"></p>\n");
            }
        }
        sb.append("</body>\n</html>\n");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    static String escape(String s) {
        return SvgChart.escape(s);
    }
}
