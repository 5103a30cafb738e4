package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The MLP trained here reproduces PyTorch's float64 loss curve (golden/mlp.safetensors, a test resource). */
class MlpGoldenTest {

    private static Path golden() throws URISyntaxException {
        return Path.of(MlpGoldenTest.class.getResource("/golden/mlp.safetensors").toURI());
    }

    @Test
    void lossCurveWithinOneInTenThousandOfPyTorchFloat64AtEveryStep() throws Exception {
        MlpGolden.Result r = MlpGolden.check(golden());
        assertEquals(50, r.relError().length);
        for (int t = 0; t < r.relError().length; t++) {
            assertTrue(r.relError()[t] <= 1e-4, "step " + t + ": ours " + r.ours()[t] + ", PyTorch float64 " + r.truth()[t]
                    + ", relative error " + r.relError()[t]);
        }
        assertTrue(r.passed());
        // The loss falls under AdamW: the run really trains, the comparison is not of constants.
        assertTrue(r.ours()[49] < 0.8 * r.ours()[0], r.ours()[0] + " -> " + r.ours()[49]);
        // Final weights: no further from PyTorch float64 than PyTorch's own float32 run lands.
        assertTrue(r.weightError() <= r.torch32WeightError(), r.weightError() + " vs PyTorch float32 " + r.torch32WeightError());
        System.out.printf("golden MLP: worst relative loss error %.3g at step %d (PyTorch float32: %.3g);"
                + " final weights max abs error %.3g (PyTorch float32: %.3g)%n",
                r.worst(), r.worstStep(), r.torch32Worst(), r.weightError(), r.torch32WeightError());
    }
}
