package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {

    /** What one run of the command printed and returned. */
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noArgumentsAndHelpPrintUsage() {
        for (String[] args : new String[][] {{}, {"help"}, {"--help"}}) {
            Result r = run(args);
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("usage: fusedstep"), r.out());
            assertEquals("", r.err());
        }
    }

    @Test
    void unknownCommandIsUsageOnStderrAndExit2() {
        Result r = run("trian");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("fusedstep: unknown command 'trian'\nusage: fusedstep"), r.err());
    }

    @Test
    void infoReportsJavaVectorThreadsAndGpu() {
        Result r = run("info");
        assertEquals(0, r.code(), r.err());
        for (String line : new String[] {"Java:", "Vector API:", "Worker threads:", "GPU backend:", "cuBLAS:"}) {
            assertTrue(r.out().contains("\n" + line), "missing '" + line + "' in:\n" + r.out());
        }
        assertTrue(r.out().contains("Java:           " + Runtime.version()), r.out());
        assertTrue(r.out().contains("cuBLAS:         " + InfoCommand.cublasLine()), r.out());
    }

    @Test
    void extraArgumentsAreRefused() {
        Result r = run("info", "--verbose");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("info: got arguments --verbose, expected none"), r.err());
    }

    @Test
    void benchRejectsAnUnknownArgument() {
        Result r = run("bench", "--bogus"); // a plain "bench" would start the whole JMH suite
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("fusedstep bench: unknown argument '--bogus'"), r.err());
    }
}
