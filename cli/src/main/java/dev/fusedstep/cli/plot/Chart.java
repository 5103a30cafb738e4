package dev.fusedstep.cli.plot;

import java.util.List;

/**
 * A line chart: one or more series over a shared x axis (the index of each value, e.g. the
 * step), optionally with a logarithmic y axis. Non-finite values (and, on a log axis, values
 * <= 0) leave a gap in their line.
 */
public record Chart(String title, String xLabel, String yLabel, boolean logY, List<Series> series) {

    /** A named line: {@code y[i]} at {@code x = i}. */
    public record Series(String name, double[] y) {}

    public Chart {
        if (series == null || series.isEmpty()) {
            throw new IllegalArgumentException("series: got none, expected at least one line to draw");
        }
        series = List.copyOf(series);
    }

    /** Whether {@code v} can be drawn on this chart's y axis. */
    boolean drawable(double v) {
        return Double.isFinite(v) && (!logY || v > 0);
    }
}
