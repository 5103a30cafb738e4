package dev.fusedstep.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A small table printed to the console with aligned columns and written into the HTML page.
 * Columns whose header is in {@code numeric} align right.
 */
record Table(List<String> header, List<List<String>> rows, List<Integer> numeric) {

    Table {
        header = List.copyOf(header);
        rows = List.copyOf(rows);
        numeric = List.copyOf(numeric);
    }

    /** The rows as text, columns padded to their widest cell, each line indented by {@code indent}. */
    String text(String indent) {
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : all) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < r.size(); i++) {
                String cell = r.get(i);
                String pad = " ".repeat(width[i] - cell.length());
                line.append(i == 0 ? "" : "  ").append(numeric.contains(i) ? pad + cell : cell + pad);
            }
            sb.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /** The rows as an HTML {@code <table>}, cells escaped. */
    String html() {
        StringBuilder sb = new StringBuilder("<table>\n<tr>");
        for (String h : header) {
            sb.append("<th>").append(HtmlReport.escape(h)).append("</th>");
        }
        sb.append("</tr>\n");
        for (List<String> r : rows) {
            sb.append("<tr>");
            for (int i = 0; i < r.size(); i++) {
                sb.append(numeric.contains(i) ? "<td class=\"num\">" : "<td>").append(HtmlReport.escape(r.get(i))).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }
}
