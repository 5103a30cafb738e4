package dev.fusedstep.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of one training run. On a terminal, one line redrawn in place (carriage return) at
 * most every {@link #REDRAW_NANOS}: a bar, steps done, the latest loss and steps per second.
 * Elsewhere (a pipe, a file, a test) no redraws: one plain line when the run ends.
 */
final class ProgressBar implements MlpTraining.Listener {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 50_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final int total;
    private final long start = System.nanoTime();
    private long lastDraw;

    ProgressBar(PrintStream out, boolean terminal, String label, int total) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = total;
    }

    /** Whether this process writes to a terminal that can redraw a line. */
    static boolean onTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public void step(int done, double loss) {
        long now = System.nanoTime();
        boolean last = done == total;
        if (terminal && (last || now - lastDraw >= REDRAW_NANOS)) {
            lastDraw = now;
            out.print("\r" + line(done, loss, now) + (last ? System.lineSeparator() : ""));
            out.flush();
        } else if (!terminal && last) {
            out.println(line(done, loss, now));
        }
    }

    /** e.g. {@code   AdamW         [########################] 500/500  loss 0.012345  2310 steps/s}. */
    String line(int done, double loss, long now) {
        int filled = (int) ((long) WIDTH * done / total);
        double seconds = Math.max(now - start, 1) / 1e9;
        return String.format(Locale.ROOT, "  %-13s [%s%s] %" + digits(total) + "d/%d  loss %.6f  %6.0f steps/s",
                label, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, loss, done / seconds);
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
