package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.conformance.CaseResult;
import dev.fusedstep.conformance.Conformance;
import java.net.URL;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden optimizer case (PyTorch 2.11 trajectories in test resources) replayed on the GPU
 * through {@link Conformance#runOnCuda} (what {@code fusedstep conformance --device cuda} runs)
 * against the CPU's bar: at every step every element within {@code 2 * max|torch32 - torch64| + 1e-7}
 * of float64, mean error at most twice PyTorch float32's; the final states and step counts likewise.
 */
@Tag("gpu")
class CudaGoldenOptimizerTest {

    static Stream<Path> cases() throws Exception {
        // Located through a file only this module's test resources hold: other folders named
        // golden (the CLI's, with the MLP file) may come first on a packed classpath.
        URL url = CudaGoldenOptimizerTest.class.getResource("/golden/adamw.safetensors");
        if (url == null) {
            throw new IllegalStateException("test resource /golden/adamw.safetensors is missing from the test classpath");
        }
        return Conformance.caseFiles(Path.of(url.toURI()).getParent()).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void meetsTheBarOnTheGpu(Path file) throws Exception {
        CudaBackend backend = GpuTests.backend(); // skips, with the reason, where there is no GPU
        CaseResult r = Conformance.runOnCuda(file, backend.ordinal());
        assertTrue(r.passed(), r::detail);
    }
}
