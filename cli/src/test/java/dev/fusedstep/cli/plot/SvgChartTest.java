package dev.fusedstep.cli.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** SVG output is well-formed XML (javax.xml parses it), escapes text, and breaks lines at undrawable values. */
class SvgChartTest {

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void specialCharactersAreEscapedAndTheDocumentParses() throws Exception {
        Chart chart = new Chart("loss & \"lr\" <1e-3>", "step's", "y", false,
                List.of(new Chart.Series("a<b>&'c'", new double[] {1, 2, 3})));
        Document doc = parse(SvgChart.render(chart));
        assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getNamespaceURI());
        assertEquals("loss & \"lr\" <1e-3>", doc.getElementsByTagName("title").item(0).getTextContent());
        String texts = doc.getDocumentElement().getTextContent();
        assertTrue(texts.contains("a<b>&'c'") && texts.contains("step's"), texts);
    }

    @Test
    void nonFiniteAndNonPositiveValuesOnALogAxisLeaveGaps() throws Exception {
        double[] y = {1, 0.5, Double.NaN, 0.2, 0.1, 0, 0.05, Double.POSITIVE_INFINITY, -1};
        Document doc = parse(SvgChart.render(new Chart("t", "x", "y", true, List.of(new Chart.Series("s", y)))));
        // Runs of drawable values: [1, 0.5], [0.2, 0.1], [0.05].
        assertEquals(3, doc.getElementsByTagName("polyline").getLength());
    }

    @Test
    void aSeriesWithNothingDrawableStillGivesAFrame() throws Exception {
        Document doc = parse(SvgChart.render(new Chart("t", "x", "y", true,
                List.of(new Chart.Series("s", new double[] {Double.NaN, 0})))));
        assertEquals(0, doc.getElementsByTagName("polyline").getLength());
        assertTrue(doc.getElementsByTagName("rect").getLength() >= 2);
    }

    @Test
    void ticksCoverTheDataWithReadableLabels() {
        ChartPainter.Axis log = ChartPainter.Axis.log(0.013, 3.2);
        assertEquals(0.01, log.lo(), 1e-15);
        assertEquals(10, log.hi(), 1e-12);
        ChartPainter.Axis lin = ChartPainter.Axis.linear(0, 399);
        assertEquals(List.of(0.0, 100.0, 200.0, 300.0, 400.0), lin.ticks());
        assertEquals("0.25", ChartPainter.label(0.25));
        assertEquals("1e-5", ChartPainter.label(1e-5));
        assertEquals("300", ChartPainter.label(300));
    }

    @Test
    void aChartNeedsALine() {
        assertThrows(IllegalArgumentException.class, () -> new Chart("t", "x", "y", false, List.of()));
    }
}
