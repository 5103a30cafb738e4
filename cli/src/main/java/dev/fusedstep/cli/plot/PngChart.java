package dev.fusedstep.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes a {@link Chart} as a PNG, drawn with Java2D off screen (headless) and encoded by ImageIO. */
public final class PngChart implements Canvas {
    private final Graphics2D g;

    private PngChart(Graphics2D g) {
        this.g = g;
    }

    public static void write(Chart chart, Path file) throws IOException {
        // No display is needed: the image is drawn in memory. Set before the first AWT class loads.
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(ChartPainter.WIDTH, ChartPainter.HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            ChartPainter.paint(chart, new PngChart(g));
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK's ImageIO");
        }
    }

    private static Color color(String hex) {
        return Color.decode(hex);
    }

    @Override
    public void rect(double x, double y, double w, double h, String stroke, String fill) {
        Rectangle2D r = new Rectangle2D.Double(x, y, w, h);
        if (!fill.equals("none")) {
            g.setColor(color(fill));
            g.fill(r);
        }
        if (!stroke.equals("none")) {
            g.setColor(color(stroke));
            g.setStroke(new BasicStroke(1f));
            g.draw(r);
        }
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, String color, double width) {
        g.setColor(color(color));
        g.setStroke(new BasicStroke((float) width));
        g.draw(new Line2D.Double(x1, y1, x2, y2));
    }

    @Override
    public void polyline(double[] xs, double[] ys, int count, String color, double width) {
        Path2D.Double path = new Path2D.Double();
        path.moveTo(xs[0], ys[0]);
        for (int i = 1; i < count; i++) {
            path.lineTo(xs[i], ys[i]);
        }
        g.setColor(color(color));
        g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(path);
    }

    @Override
    public void text(double x, double y, String text, double size, Anchor anchor, boolean bold, boolean vertical) {
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, (int) Math.round(size)));
        double w = g.getFontMetrics().stringWidth(text);
        double dx = switch (anchor) {
            case START -> 0;
            case MIDDLE -> -w / 2;
            case END -> -w;
        };
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        if (vertical) {
            g.rotate(-Math.PI / 2);
        }
        g.drawString(text, (float) dx, 0f);
        g.setTransform(saved);
    }
}
