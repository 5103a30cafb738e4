package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.download;
import static dev.fusedstep.internal.cuda.GpuTests.upload;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.conformance.Conformance;
import dev.fusedstep.conformance.ErrorStats;
import dev.fusedstep.io.SafeTensors;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.PyTorchRules;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden optimizer case (PyTorch 2.11 trajectories in test resources) replayed on the GPU
 * against the CPU's bar: at every step every element within {@code 2 * max|torch32 - torch64| + 1e-7}
 * of float64, mean error at most twice PyTorch float32's; the final states likewise.
 */
@Tag("gpu")
class CudaGoldenOptimizerTest {

    static Stream<Path> cases() throws Exception {
        URL url = CudaGoldenOptimizerTest.class.getResource("/golden");
        if (url == null) {
            throw new IllegalStateException("test resource folder /golden is missing from the test classpath");
        }
        return Conformance.caseFiles(Path.of(url.toURI())).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void meetsTheBarOnTheGpu(Path file) throws Exception {
        CudaBackend backend = GpuTests.backend();
        try (SafeTensors st = SafeTensors.open(file); DeviceArena arena = new DeviceArena(backend.ordinal())) {
            Map<String, String> meta = st.metadata();
            OptimizerRule rule = PyTorchRules.fromPyTorch(meta.get("optimizer"), meta.getOrDefault("hyper", "{}"));
            int steps = Integer.parseInt(meta.get("steps").trim());
            float[] param0 = st.tensor("param0").toFloatArray();
            int n = param0.length;
            Tensor param = upload(arena, param0);
            Tensor grad = upload(arena, new float[n]);
            List<String> names = rule.stateNames();
            Tensor[] states = new Tensor[names.size()];
            for (int k = 0; k < states.length; k++) {
                float[] init = new float[n];
                Arrays.fill(init, rule.initialStateValue(names.get(k)));
                states[k] = upload(arena, init);
            }
            DeviceOptimizerGroup group = DeviceOptimizerGroup.create(backend, arena, rule, List.of(param), List.of(grad),
                    List.<Tensor[]>of(states), null);
            List<String> failures = new ArrayList<>();
            for (int t = 1; t <= steps; t++) {
                DeviceArena.copy(st.tensor("grad_" + t), grad);
                group.step();
                check("step " + t, download(param), st.toDoubleArray("param32_" + t), st.toDoubleArray("param64_" + t), failures);
            }
            for (int k = 0; k < names.size(); k++) {
                String name = names.get(k);
                if (st.contains("state64_" + name)) {
                    check("state " + name, download(states[k]), st.toDoubleArray("state32_" + name),
                            st.toDoubleArray("state64_" + name), failures);
                }
            }
            assertTrue(failures.isEmpty(), () -> file.getFileName() + " on " + backend.info().describe() + ":\n"
                    + String.join("\n", failures));
        }
    }

    /** ErrorStats.of's arithmetic (package-private there): max and mean absolute error against float64. */
    private static void check(String label, float[] ours, double[] torch32, double[] truth, List<String> failures) {
        double oMax = 0, oSum = 0, tMax = 0, tSum = 0;
        for (int i = 0; i < truth.length; i++) {
            double o = Math.abs(ours[i] - truth[i]);
            double t = Math.abs(torch32[i] - truth[i]);
            oMax = Math.max(oMax, o);
            tMax = Math.max(tMax, t);
            oSum += o;
            tSum += t;
        }
        int count = Math.max(1, truth.length);
        ErrorStats e = new ErrorStats(label, oMax, oSum / count, tMax, tSum / count);
        if (!e.passed()) {
            failures.add(e.describe());
        }
    }
}
