package dev.fusedstep.cli.plot;

/**
 * What {@link ChartPainter} draws on, in pixels from the top left: an SVG document or a Java2D
 * image. Colors are {@code #rrggbb}.
 */
interface Canvas {
    enum Anchor { START, MIDDLE, END }

    void rect(double x, double y, double w, double h, String stroke, String fill);

    void line(double x1, double y1, double x2, double y2, String color, double width);

    /** An open line through the points. */
    void polyline(double[] xs, double[] ys, int count, String color, double width);

    /** Text with its baseline at {@code y}; {@code vertical} turns it a quarter anticlockwise about (x, y). */
    void text(double x, double y, String text, double size, Anchor anchor, boolean bold, boolean vertical);
}
