package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.optim.AdamW;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    private static final LinearRegression.Data DATA = LinearRegression.Data.generate();

    @Test
    void adamwMovesWTowardThreeAtAboutLrPerStepAndTheLossFallsEveryStep() {
        LinearRegression.Fit fit = LinearRegression.train(new AdamW().withLr(DemoCommand.LR), DATA, DemoCommand.STEPS);
        for (int t = 0; t < fit.steps(); t++) {
            assertTrue(fit.loss()[t + 1] < fit.loss()[t], "loss rose at step " + (t + 1) + ": " + fit.loss()[t] + " -> " + fit.loss()[t + 1]);
            assertTrue(fit.w()[t + 1] > fit.w()[t], "w fell at step " + (t + 1));
        }
        // Adam moves a weight by at most about lr per step, so w cannot pass 100 x 0.01 = 1 of the 3 it aims for.
        assertTrue(fit.finalW() > 0.85 && fit.finalW() <= 1.0, "w after 100 steps: " + fit.finalW());
        assertTrue(fit.finalLoss() < 0.6 * fit.loss()[0], fit.finalLoss() + " vs start " + fit.loss()[0]);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        double w = 0.7, b = -0.2, h = 1e-6;
        double[] g = LinearRegression.lossAndGradients(DATA, w, b);
        double dw = (LinearRegression.lossAndGradients(DATA, w + h, b)[0] - LinearRegression.lossAndGradients(DATA, w - h, b)[0]) / (2 * h);
        double db = (LinearRegression.lossAndGradients(DATA, w, b + h)[0] - LinearRegression.lossAndGradients(DATA, w, b - h)[0]) / (2 * h);
        assertEquals(dw, g[1], 1e-6);
        assertEquals(db, g[2], 1e-6);
    }

    @Test
    void dataIsThreeXPlusSmallNoise() {
        LinearRegression.Exact exact = LinearRegression.leastSquares(DATA);
        assertEquals(3.0, exact.w(), 0.01);
        assertEquals(0.0, exact.b(), 0.01);
        // Noise with standard deviation 0.01 leaves a mean squared residual near 1e-4.
        assertTrue(exact.loss() > 0.5e-4 && exact.loss() < 2e-4, "least-squares loss " + exact.loss());
    }

    @Test
    void demoRunsToTheEndWithARowPerOptimizer() {
        MainTest.Result r = MainTest.run("demo");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        for (DemoCommand.Entry e : DemoCommand.comparison()) {
            long rows = java.util.Arrays.stream(lines).filter(l -> l.startsWith(String.format("   %-12s  ", e.label()))).count();
            assertEquals(1, rows, "rows for " + e.label() + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("standard deviation 0.01"), r.out());
        assertTrue(r.out().contains("AdamW, lr 0.01 (betas (0.9, 0.999), eps 1e-8, weight_decay 0.01"), r.out());
    }

    @Test
    void numbersPrintAsPyTorchDoes() {
        assertEquals("0.01", DemoCommand.num(1e-2));
        assertEquals("1e-8", DemoCommand.num(1e-8));
        assertEquals("1", DemoCommand.num(1.0));
        assertEquals("0.999", DemoCommand.num(0.999));
        assertEquals("0", DemoCommand.num(0));
    }
}
