package dev.fusedstep.cli.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lays out and draws a {@link Chart} on a {@link Canvas}: axes with tick labels ("nice" steps on
 * a linear axis, powers of ten and 2 and 5 between them on a log axis), grid lines, one colored
 * line per series and a legend at the right. The same layout serves SVG and PNG.
 */
final class ChartPainter {
    static final int WIDTH = 900, HEIGHT = 520;
    private static final double LEFT = 80, TOP = 40, RIGHT = 200, BOTTOM = 60;
    /** Twelve colors that stay apart from each other (the tab10 palette plus two). */
    static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8"};
    private static final String AXIS = "#333333", GRID = "#dddddd";

    private ChartPainter() {}

    static void paint(Chart chart, Canvas c) {
        double plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        int points = 0;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Chart.Series s : chart.series()) {
            points = Math.max(points, s.y().length);
            for (double v : s.y()) {
                if (chart.drawable(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) { // nothing drawable: an empty frame with a unit axis
            lo = chart.logY() ? 1 : 0;
            hi = chart.logY() ? 10 : 1;
        }
        Axis y = chart.logY() ? Axis.log(lo, hi) : Axis.linear(lo, hi);
        Axis x = Axis.linear(0, Math.max(1, points - 1));

        c.rect(0, 0, WIDTH, HEIGHT, "none", "#ffffff");
        c.text(WIDTH / 2.0, TOP - 15, chart.title(), 16, Canvas.Anchor.MIDDLE, true, false);
        for (double t : y.ticks()) {
            double py = TOP + plotH * (1 - y.fraction(t));
            c.line(LEFT, py, LEFT + plotW, py, GRID, 1);
            c.text(LEFT - 8, py + 4, label(t), 11, Canvas.Anchor.END, false, false);
        }
        for (double t : x.ticks()) {
            double px = LEFT + plotW * x.fraction(t);
            c.line(px, TOP, px, TOP + plotH, GRID, 1);
            c.text(px, TOP + plotH + 18, label(t), 11, Canvas.Anchor.MIDDLE, false, false);
        }
        c.rect(LEFT, TOP, plotW, plotH, AXIS, "none");
        c.text(LEFT + plotW / 2, HEIGHT - 15, chart.xLabel(), 13, Canvas.Anchor.MIDDLE, false, false);
        c.text(20, TOP + plotH / 2, chart.yLabel(), 13, Canvas.Anchor.MIDDLE, false, true);

        double[] xs = new double[points], ys = new double[points];
        for (int s = 0; s < chart.series().size(); s++) {
            Chart.Series series = chart.series().get(s);
            String color = PALETTE[s % PALETTE.length];
            int run = 0;
            for (int i = 0; i <= series.y().length; i++) {
                if (i < series.y().length && chart.drawable(series.y()[i])) {
                    xs[run] = LEFT + plotW * x.fraction(i);
                    ys[run] = TOP + plotH * (1 - y.fraction(series.y()[i]));
                    run++;
                } else if (run > 0) { // a gap or the end: draw what came before it
                    c.polyline(xs, ys, run, color, 1.8);
                    run = 0;
                }
            }
            double ly = TOP + 10 + 20 * s;
            c.line(WIDTH - RIGHT + 15, ly, WIDTH - RIGHT + 40, ly, color, 3);
            c.text(WIDTH - RIGHT + 48, ly + 4, series.name(), 12, Canvas.Anchor.START, false, false);
        }
    }

    /** A tick value as a short label: 0.001, 0.25, 1e-5, 300. */
    static String label(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            String s = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
            return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        }
        return String.format(Locale.ROOT, "%.0e", v).replace("e+0", "e").replace("e-0", "e-").replace("e+", "e");
    }

    /** A y or x axis: maps values to [0, 1] and says where its ticks go. */
    record Axis(double lo, double hi, boolean log, List<Double> ticks) {
        static Axis linear(double lo, double hi) {
            if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
                lo -= 0.5;
                hi += 0.5;
            }
            double raw = (hi - lo) / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / mag < 1.5 ? mag : raw / mag < 3 ? 2 * mag : raw / mag < 7 ? 5 * mag : 10 * mag;
            double first = Math.floor(lo / step) * step, last = Math.ceil(hi / step) * step;
            List<Double> ticks = new ArrayList<>();
            for (double t = first; t <= last + step / 2; t += step) {
                ticks.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
            }
            return new Axis(first, last, false, ticks);
        }

        static Axis log(double lo, double hi) {
            double first = Math.floor(Math.log10(lo)), last = Math.ceil(Math.log10(hi));
            if (last == first) {
                last++;
            }
            List<Double> ticks = new ArrayList<>();
            for (double e = first; e <= last; e++) {
                double p = Math.pow(10, e);
                ticks.add(p);
                if (last - first <= 2 && e < last) {
                    ticks.add(2 * p);
                    ticks.add(5 * p);
                }
            }
            return new Axis(Math.pow(10, first), Math.pow(10, last), true, ticks);
        }

        double fraction(double v) {
            return log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        }
    }
}
