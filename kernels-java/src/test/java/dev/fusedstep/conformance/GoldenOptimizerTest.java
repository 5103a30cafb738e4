package dev.fusedstep.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden optimizer case (PyTorch 2.11 trajectories) replayed on the scalar and the vector
 * loops, on one and two threads, against the bar: at every step every element within
 * {@code 2 * max|torch32 - torch64| + 1e-7} of float64, mean error at most twice PyTorch
 * float32's; and the final state likewise. Run a subset with {@code -Dgolden.cases=adam,adamw}.
 */
class GoldenOptimizerTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Path p : GoldenCases.selected()) {
            for (boolean vectorized : new boolean[] {false, true}) {
                for (int threads : new int[] {1, 2}) {
                    out.add(Arguments.of(GoldenCases.caseName(p), vectorized ? "vector" : "scalar", threads, p));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} thread(s)")
    @MethodSource("cases")
    void meetsTheBar(String name, String kind, int threads, Path file) throws Exception {
        boolean vectorized = kind.equals("vector");
        if (vectorized) {
            assumeTrue(VectorizationProvider.getInstance().vectorized(),
                    "Vector API unavailable: " + VectorizationProvider.getInstance().describe());
        }
        CaseResult r = Conformance.run(file, vectorized, threads);

        for (ErrorStats e : r.stepErrors()) {
            assertTrue(e.maxWithinBar(), () -> name + " " + kind + " " + threads + "t, " + e.label()
                    + ": max error " + fmt(e.oursMax()) + " exceeds 2 x PyTorch float32's " + fmt(e.torchMax())
                    + " + 1e-7 (mean ratio " + String.format("%.2f", e.meanRatio()) + ")\n" + r.detail());
            assertTrue(e.meanWithinBar(), () -> name + " " + kind + " " + threads + "t, " + e.label()
                    + ": mean error " + fmt(e.oursMean()) + " exceeds 2 x PyTorch float32's " + fmt(e.torchMean())
                    + " (ratio " + String.format("%.2f", e.meanRatio()) + "; max error " + fmt(e.oursMax())
                    + " vs PyTorch " + fmt(e.torchMax()) + ")"
                    + (e.exactReference() ? " -- PyTorch float32 is exact at this step, so the bar demands exactness" : "")
                    + "\n" + r.detail());
        }
        for (ErrorStats e : r.stateErrors()) {
            assertTrue(e.passed(), () -> name + " " + kind + " " + threads + "t, final " + e.describe() + "\n" + r.detail());
        }
        assertTrue(r.problems().isEmpty(), () -> name + ": " + r.problems());
        assertEquals(r.steps(), r.stepErrors().size());
    }

    /** The filter must not silently select nothing, and the resources must hold every optimizer's case. */
    @Test
    void resourcesHoldTheCases() throws Exception {
        List<String> names = Conformance.caseFiles(GoldenCases.dir()).stream().map(GoldenCases::caseName).toList();
        assertFalse(names.isEmpty(), "no golden case files in test resources");
        for (String expected : List.of("sgd", "adagrad", "rmsprop", "adam", "adamw", "adamax", "nadam", "radam", "adadelta")) {
            assertTrue(names.contains(expected), "missing golden case " + expected + " in " + names);
        }
    }

    private static String fmt(double d) {
        return String.format("%.3e", d);
    }
}
