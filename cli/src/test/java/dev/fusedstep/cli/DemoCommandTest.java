package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.optim.AdamW;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class DemoCommandTest {

    private static final LinearRegression.Data DATA = LinearRegression.Data.generate();

    @Test
    void adamwMovesWTowardThreeAtAboutLrPerStepAndTheLossFallsEveryStep() {
        LinearRegression.Fit fit = LinearRegression.train(new AdamW().withLr(RegressionSection.LR), DATA, RegressionSection.STEPS);
        for (int t = 0; t < fit.steps(); t++) {
            assertTrue(fit.loss()[t + 1] < fit.loss()[t], "loss rose at step " + (t + 1) + ": " + fit.loss()[t] + " -> " + fit.loss()[t + 1]);
            assertTrue(fit.w()[t + 1] > fit.w()[t], "w fell at step " + (t + 1));
        }
        // Adam moves a weight by at most about lr per step, so w cannot pass 100 x 0.01 = 1 of the 3 it aims for.
        assertTrue(fit.finalW() > 0.85 && fit.finalW() <= 1.0, "w after 100 steps: " + fit.finalW());
        assertTrue(fit.finalLoss() < 0.6 * fit.loss()[0], fit.finalLoss() + " vs start " + fit.loss()[0]);
    }

    @Test
    void miniBatchAndStochasticStepsTakeOtherPathsDownTheSameSlope() {
        AdamW rule = new AdamW().withLr(RegressionSection.LR);
        LinearRegression.Fit full = LinearRegression.train(rule, DATA, RegressionSection.STEPS);
        for (RegressionSection.Variant v : RegressionSection.variants()) {
            LinearRegression.Fit fit = LinearRegression.train(rule, DATA, RegressionSection.STEPS, v.batch(), 0);
            assertTrue(fit.finalLoss() < 0.7 * fit.loss()[0], v + ": " + fit.loss()[0] + " -> " + fit.finalLoss());
            if (v.batch() == LinearRegression.POINTS) {
                assertTrue(Arrays.equals(full.w(), fit.w()), "full batch is the plain full-batch run");
            } else {
                assertNotEquals(full.finalB(), fit.finalB(), v + " sees other gradients than the full batch");
            }
        }
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
    void demoPrintsBothTablesAndWritesWellFormedChartsAndThePage(@TempDir Path dir) throws Exception {
        // 150 steps: enough for every optimizer to halve the loss, which the table must show.
        MainTest.Result r = MainTest.run("demo", "--steps", "150", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        // one run per optimizer on the CPU, and again on the GPU where one is usable (--device auto)
        int devices = DeviceChoice.devices("auto", DeviceChoice.Gpu.here()).size();
        for (DemoOptimizers.Entry e : DemoOptimizers.all()) {
            long rows = Arrays.stream(lines).filter(l -> l.startsWith(String.format("   %-12s ", e.label()))).count();
            assertEquals(devices, rows, "table rows for " + e.label() + " in:\n" + r.out());
            // Not a terminal: one plain progress line per run, no carriage returns.
            assertEquals(devices, Arrays.stream(lines).filter(l -> l.startsWith(String.format("  %-13s [", e.label())) && l.contains("150/150")).count(),
                    "progress line for " + e.label() + " in:\n" + r.out());
        }
        assertTrue(!r.out().contains("\r"), "no redrawn lines off a terminal");
        for (String method : new String[] {"full batch", "mini-batch", "stochastic", "least squares"}) {
            assertTrue(r.out().contains("   " + method + " "), method + " row in:\n" + r.out());
        }
        String prose = r.out().replaceAll("\\R   (?=\\S)", " "); // the notes are wrapped at 96 columns
        assertTrue(prose.contains("standard deviation 0.01"), r.out());
        assertTrue(prose.contains("AdamW, lr 0.01 (betas (0.9, 0.999), eps 1e-8, weight_decay 0.01"), r.out());
        assertTrue(r.out().contains("training on the CPU"), r.out());
        assertTrue(r.out().contains(dir.toAbsolutePath().normalize().toString()), "the output folder is printed:\n" + r.out());

        for (String chart : new String[] {"regression_loss", "mlp_loss", "lr_schedule"}) {
            Document svg = parse(dir.resolve(chart + ".svg"));
            assertEquals("svg", svg.getDocumentElement().getTagName());
            assertTrue(svg.getElementsByTagName("polyline").getLength() >= 1, chart + " has lines");
            assertNotNull(ImageIO.read(dir.resolve(chart + ".png").toFile()), chart + ".png decodes");
        }
        assertEquals(DemoOptimizers.all().size(), parse(dir.resolve("mlp_loss.svg")).getElementsByTagName("polyline").getLength(),
                "one loss line per optimizer");
        for (DemoOptimizers.Entry e : DemoOptimizers.all()) {
            Matcher m = Pattern.compile("(?m)^   " + Pattern.quote(e.label()) + " +cpu +\\S+ +([0-9.]+) +([0-9.]+) ").matcher(r.out());
            assertTrue(m.find(), e.label() + " row in:\n" + r.out());
            double first = Double.parseDouble(m.group(1)), last = Double.parseDouble(m.group(2));
            assertTrue(last < 0.5 * first, e.label() + ": loss " + first + " -> " + last);
        }
        assertTrue(r.out().contains("GradScaler, 0 skipped steps"), r.out());
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("<img src=\"mlp_loss.svg\"") && html.contains("<img src=\"lr_schedule.svg\""), html);
        assertTrue(html.contains("<td>AdamW BF16</td>"), html);
    }

    @Test
    void checkReplaysPyTorchsRunAndPassesWithTheWorstError() {
        MainTest.Result r = MainTest.run("demo", "--check");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("within a relative "), r.out());
        assertTrue(r.out().contains("PASS"), r.out());
    }

    @Test
    void numbersPrintAsPyTorchDoes() {
        assertEquals("0.01", DemoCommand.num(1e-2));
        assertEquals("1e-8", DemoCommand.num(1e-8));
        assertEquals("1", DemoCommand.num(1.0));
        assertEquals("0.999", DemoCommand.num(0.999));
        assertEquals("0", DemoCommand.num(0));
    }

    static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(file.toFile());
    }
}
