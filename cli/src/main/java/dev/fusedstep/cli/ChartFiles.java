package dev.fusedstep.cli;

import dev.fusedstep.cli.plot.Chart;
import dev.fusedstep.cli.plot.PngChart;
import dev.fusedstep.cli.plot.SvgChart;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** Writes each chart of the demo twice, {@code NAME.svg} and {@code NAME.png}, into the output folder. */
final class ChartFiles {
    private final Path dir;
    private final PrintStream err;
    private boolean pngFailed;

    ChartFiles(Path dir, PrintStream err) {
        this.dir = dir;
        this.err = err;
    }

    /** Writes the chart; returns the SVG's file name (what the HTML page shows). */
    String write(Chart chart, String name) throws IOException {
        SvgChart.write(chart, dir.resolve(name + ".svg"));
        if (!pngFailed) {
            try {
                PngChart.write(chart, dir.resolve(name + ".png"));
            } catch (IOException | RuntimeException | LinkageError | java.awt.AWTError e) {
                // A JDK without fonts or image I/O (a stripped runtime) still gets the SVGs.
                pngFailed = true;
                err.println("demo: PNG charts skipped, Java2D could not draw here: " + e);
            }
        }
        return name + ".svg";
    }
}
