package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A bar redrawn in place on a terminal; one plain line at the end elsewhere. */
class ProgressBarTest {

    private static String drive(boolean terminal) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ProgressBar bar = new ProgressBar(out, terminal, "AdamW", 4);
        for (int t = 1; t <= 4; t++) {
            bar.step(t, 1.0 / t);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalTheLineIsRedrawnAndEndsWithANewline() {
        String text = drive(true);
        assertTrue(text.startsWith("\r  AdamW         [######"), text);
        assertTrue(text.contains("\r  AdamW         [########################] 4/4  loss 0.250000 "), text);
        assertTrue(text.endsWith(" steps/s" + System.lineSeparator()), text);
        assertEquals(1, text.split(System.lineSeparator(), -1).length - 1, "one line in the end: " + text);
    }

    @Test
    void elsewhereOnePlainLineWhenTheRunEnds() {
        String text = drive(false);
        assertFalse(text.contains("\r"), text);
        assertTrue(text.matches("  AdamW         \\[#{24}\\] 4/4  loss 0\\.250000 +\\d+ steps/s" + System.lineSeparator()), text);
    }
}
