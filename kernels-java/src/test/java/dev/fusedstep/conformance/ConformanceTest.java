package dev.fusedstep.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.io.SafeTensors;
import dev.fusedstep.io.SafeTensorsFormatException;
import dev.fusedstep.optim.UnsupportedRuleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's own behaviour: which files are cases, and how it reports malformed or unsupported ones. */
class ConformanceTest {

    @TempDir
    Path tmp;

    @Test
    void caseFilesAreThoseWithParam0() throws IOException {
        Files.copy(GoldenCases.dir().resolve("adam.safetensors"), tmp.resolve("adam.safetensors"));
        SafeTensors.write(tmp.resolve("other.safetensors"), Map.of("x", Tensor.of(new float[] {1})), null);
        Files.writeString(tmp.resolve("README.md"), "not a case");
        assertEquals(java.util.List.of(tmp.resolve("adam.safetensors")), Conformance.caseFiles(tmp));
    }

    @Test
    void reportsPerStepErrorsAgainstFloat64() throws IOException {
        CaseResult r = Conformance.run(GoldenCases.dir().resolve("adamw.safetensors"), false, 1);
        assertEquals("adamw", r.name());
        assertEquals("AdamW", r.optimizer());
        assertEquals(8, r.steps());
        assertEquals(1037, r.n());
        assertEquals(8, r.stepErrors().size());
        assertEquals(2, r.stateErrors().size());
        assertTrue(r.passed(), r.detail());
        assertTrue(r.stepErrors().get(0).torchMax() > 0, "PyTorch float32 differs from float64 after step 1");
    }

    @Test
    void unknownOptimizerIsUnsupported() throws IOException {
        Path f = rewrite("adam.safetensors", m -> m.put("optimizer", "Lion"));
        UnsupportedRuleException ex = assertThrows(UnsupportedRuleException.class, () -> Conformance.run(f, false, 1));
        assertTrue(ex.getMessage().contains("Lion"), ex.getMessage());
    }

    @Test
    void unknownArgumentIsUnsupported() throws IOException {
        Path f = rewrite("adam.safetensors", m -> m.put("hyper", "{\"lr\": 0.001, \"lookahead\": 5}"));
        UnsupportedRuleException ex = assertThrows(UnsupportedRuleException.class, () -> Conformance.run(f, false, 1));
        assertTrue(ex.getMessage().contains("lookahead"), ex.getMessage());
    }

    @Test
    void missingGradientIsAFormatError() throws IOException {
        Path f = rewrite("adam.safetensors", m -> m.put("steps", "9"));
        SafeTensorsFormatException ex = assertThrows(SafeTensorsFormatException.class, () -> Conformance.run(f, false, 1));
        assertTrue(ex.getMessage().contains("grad_9"), ex.getMessage());
    }

    @Test
    void wrongTrajectoryMissesTheBar() throws IOException {
        // The same trajectory replayed with another learning rate must not pass.
        Path f = rewrite("adam.safetensors", m -> m.put("hyper", "{\"lr\": 0.0011}"));
        CaseResult r = Conformance.run(f, false, 1);
        assertTrue(!r.passed() && !r.paramsPassed(), r.detail());
        assertTrue(r.detail().contains("MISSES BAR"), r.detail());
    }

    /** A copy of a golden case with its metadata changed. */
    private Path rewrite(String name, Consumer<Map<String, String>> change) throws IOException {
        Path out = tmp.resolve(name);
        try (SafeTensors st = SafeTensors.open(GoldenCases.dir().resolve(name))) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String t : st.names()) {
                tensors.put(t, st.tensor(t));
            }
            Map<String, String> meta = new LinkedHashMap<>(st.metadata());
            change.accept(meta);
            SafeTensors.write(out, tensors, meta);
        }
        return out;
    }
}
