package dev.fusedstep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgChartTest {

    private static String result(String method, String layout, double nsPerParam) {
        double ns = nsPerParam * 65536;
        return """
            {"benchmark":"dev.fusedstep.bench.AdamWBench.%s","params":{"layout":"%s","size":"65536"},
             "primaryMetric":{"score":%s,"scoreError":"NaN","scoreUnit":"ns/op","rawData":[[%s]]}}
            """.formatted(method, layout, ns, ns);
    }

    @Test
    void wellFormedWithOneBarPerRowAndAProbeTick() throws Exception {
        String json = "[" + String.join(",", result("probe", "f32", 0.125), result("vector1", "f32", 0.25),
                result("scalar", "f32", 1.0), result("vector1", "bf16", 0.2)) + "]";
        List<BenchRows.Row> rows = BenchRows.rows(json);
        String svg = SvgChart.render(rows, "chart <with> & markup");

        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        int bars = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            if ("bar".equals(((Element) rects.item(i)).getAttribute("class"))) {
                bars++;
            }
        }
        assertEquals(rows.size(), bars);
        assertEquals(4, bars);
        NodeList lines = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "line");
        int ticks = 0;
        for (int i = 0; i < lines.getLength(); i++) {
            if ("probe".equals(((Element) lines.item(i)).getAttribute("class"))) {
                ticks++;
            }
        }
        assertEquals(3, ticks, "the three f32 rows have a probe; the bf16 row has none in this run");
    }
}
