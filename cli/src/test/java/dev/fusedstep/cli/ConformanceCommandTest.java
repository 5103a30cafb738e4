package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.conformance.Conformance;
import dev.fusedstep.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceCommandTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void goldenAdamCasesPass() throws Exception {
        assertEquals(0, run(golden().toString(), "--threads", "2"), output());
        String o = out.toString(StandardCharsets.UTF_8);
        for (String name : new String[] {"adam ", "adam_l2", "adamw ", "adamw_amsgrad"}) {
            assertTrue(o.contains(name), "a line for " + name + ":\n" + o);
        }
        assertTrue(o.matches("(?s).*adamw\\s+AdamW\\s+8 steps\\s+max \\d+\\.\\d\\dx\\s+mean \\d+\\.\\d\\dx\\s+PASS.*"), o);
        assertTrue(o.contains("4 cases: 4 pass, 0 miss the bar, 0 could not run"), o);
    }

    @Test
    void scalarLoopsPassToo() throws Exception {
        assertEquals(0, run(golden().toString(), "--scalar", "--threads=1"), output());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("scalar loops"), output());
    }

    @Test
    void aCorruptFileIsAnError() throws Exception {
        Files.copy(golden().resolve("adam.safetensors"), tmp.resolve("adam.safetensors"));
        Files.write(tmp.resolve("broken.safetensors"), new byte[] {(byte) 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertEquals(2, run(tmp.toString()), output());
        assertTrue(output().contains("broken") && output().contains("header length"), output());
        assertTrue(output().contains("adam ") && output().contains("PASS"), "the other cases still run:\n" + output());
    }

    @Test
    void anUnknownOptimizerIsAnError() throws Exception {
        rewrite("adam.safetensors", m -> m.put("optimizer", "Lion"));
        assertEquals(2, run(tmp.toString()), output());
        assertTrue(output().contains("Lion"), output());
    }

    @Test
    void anUnsupportedArgumentIsAnError() throws Exception {
        rewrite("adamw.safetensors", m -> m.put("hyper", "{\"lr\": 0.001, \"fused\": true}"));
        assertEquals(2, run(tmp.toString()), output());
        assertTrue(output().contains("fused"), output());
    }

    @Test
    void aCaseMissingTheBarFails() throws Exception {
        rewrite("adam.safetensors", m -> m.put("hyper", "{\"lr\": 0.0011}"));
        assertEquals(1, run(tmp.toString()), output());
        assertTrue(output().contains("FAIL") && output().contains("MISSES BAR"), output());
    }

    @Test
    void aFolderWithoutCasesIsAnError() throws Exception {
        SafeTensors.write(tmp.resolve("other.safetensors"), Map.of("x", Tensor.of(new float[] {1})), null);
        assertEquals(2, run(tmp.toString()), output());
        assertTrue(output().contains("no optimizer cases"), output());
    }

    @Test
    void badArgumentsPrintUsage() {
        assertEquals(2, run());
        assertTrue(output().contains("usage: fusedstep conformance DIR"), output());
        assertEquals(2, run(tmp.toString(), "--threads", "0"));
        assertEquals(2, run(tmp.toString(), "--threads"));
        assertEquals(2, run(tmp.toString(), "--vectorized"));
        assertEquals(2, run(tmp.toString(), tmp.toString()));
        assertEquals(2, run(tmp.resolve("absent").toString()));
        assertTrue(output().contains("absent"), output());
        assertEquals(0, run("--help"));
    }

    @Test
    void deviceArgumentsAreChecked() {
        assertEquals(2, run(tmp.toString(), "--device", "tpu"));
        assertTrue(output().contains("--device: got tpu, expected cpu, cuda or cuda:N"), output());
        assertEquals(2, run(tmp.toString(), "--device", "cuda:-1"));
        assertEquals(2, run(tmp.toString(), "--device"));
        assertEquals(2, run(tmp.toString(), "--device", "cuda", "--scalar"));
        assertTrue(output().contains("expected CPU options only with --device cpu"), output());
    }

    @Test
    void cudaWithoutAGpuSaysWhyAndFails() throws Exception {
        String why = Conformance.cudaUnavailableReason();
        assumeTrue(why != null, "a GPU backend is available here; the GPU run is CudaGoldenOptimizerTest (tag gpu)");
        assertEquals(2, run(golden().toString(), "--device", "cuda"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--device cuda:0: no GPU backend here: " + why), output());
    }

    @Test
    void cpuIsTheDefaultDevice() throws Exception {
        assertEquals(0, run(golden().toString(), "--device=cpu", "--threads", "1"), output());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("loops, 1 thread"), output());
    }

    private int run(String... args) {
        return ConformanceCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    private static Path golden() throws URISyntaxException {
        return Path.of(ConformanceCommandTest.class.getResource("/golden").toURI());
    }

    /** Writes into tmp a copy of a golden case with its metadata changed. */
    private void rewrite(String name, Consumer<Map<String, String>> change) throws IOException, URISyntaxException {
        try (SafeTensors st = SafeTensors.open(golden().resolve(name))) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String t : st.names()) {
                tensors.put(t, st.tensor(t));
            }
            Map<String, String> meta = new LinkedHashMap<>(st.metadata());
            change.accept(meta);
            SafeTensors.write(tmp.resolve(name), tensors, meta);
        }
    }
}
