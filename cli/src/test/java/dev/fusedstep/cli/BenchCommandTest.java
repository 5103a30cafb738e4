package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.options.Options;

/** Argument parsing and the rows built from a canned JMH result; no benchmark runs here. */
class BenchCommandTest {

    @Test
    void parsesQuickAndJson() {
        assertEquals(new BenchCommand.Settings(false, null), BenchCommand.parse(new String[] {}));
        assertEquals(new BenchCommand.Settings(true, null), BenchCommand.parse(new String[] {"--quick"}));
        assertEquals(new BenchCommand.Settings(true, Path.of("r.json")),
                BenchCommand.parse(new String[] {"--json", "r.json", "--quick"}));
        assertNull(BenchCommand.parse(new String[] {"--help"}));
    }

    @Test
    void badArgumentsAreNamedAndExit2() {
        var e = assertThrows(IllegalArgumentException.class, () -> BenchCommand.parse(new String[] {"--json"}));
        assertEquals("--json: got no file, expected --json FILE", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchCommand.parse(new String[] {"--fast"}));
        assertEquals("unknown argument '--fast', expected --quick or --json FILE", e.getMessage());

        MainTest.Result r = MainTest.run("bench", "--json", "--quick");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("fusedstep bench: --json: got no file"), r.err());
    }

    @Test
    void quickOptionsSelectTheSubsetWithShortIterations() {
        Options o = BenchCommand.options(new BenchCommand.Settings(true, null), Path.of("out.json"));
        assertEquals(List.of(BenchCommand.QUICK_INCLUDE), o.getIncludes());
        assertEquals(List.of("65536", "16777216"), List.copyOf(o.getParameter("size").get()));
        assertEquals(List.of("f32"), List.copyOf(o.getParameter("layout").get()));
        assertEquals(1, o.getForkCount().get());
        assertEquals(2, o.getWarmupIterations().get());
        assertEquals(3, o.getMeasurementIterations().get());
        assertTrue("dev.fusedstep.bench.AdamWBench.vectorAll".matches(BenchCommand.QUICK_INCLUDE));
        assertFalse("dev.fusedstep.bench.AdamWBench.vector1Early".matches(BenchCommand.QUICK_INCLUDE));
        assertFalse("dev.fusedstep.bench.AdamWBench.plainLoop".matches(BenchCommand.QUICK_INCLUDE));

        Options full = BenchCommand.options(new BenchCommand.Settings(false, null), Path.of("out.json"));
        assertFalse(full.getForkCount().hasValue(), "the full run keeps the annotations' forks");
        assertFalse(full.getParameter("size").hasValue());
        java.util.regex.Pattern everything = java.util.regex.Pattern.compile(BenchCommand.FULL_INCLUDE);
        assertTrue(everything.matcher("dev.fusedstep.bench.NormBench.vector1").find());
        assertTrue(everything.matcher("dev.fusedstep.bench.AdamWBench.plainLoop").find());
        assertFalse(everything.matcher("dev.fusedstep.bench.OptimizerBench.vector1").find(),
                "the every-optimizer grid (about 9 hours) is left to bench/run");
    }

    private static String result(String bench, String method, String layout, long size, double nsPerParam) {
        String params = layout == null ? "\"size\":\"%d\"".formatted(size)
                : "\"layout\":\"%s\",\"size\":\"%d\"".formatted(layout, size);
        double ns = nsPerParam * size;
        return """
            {"jmhVersion":"1.37","benchmark":"dev.fusedstep.bench.%s.%s","mode":"avgt","threads":1,"forks":1,
             "params":{%s},
             "primaryMetric":{"score":%s,"scoreError":"NaN","scoreUnit":"ns/op","rawData":[[%s,%s]]}}
            """.formatted(bench, method, params, ns, ns, ns);
    }

    @Test
    void rowsAndJsonFromACannedResult(@TempDir Path dir) throws Exception {
        String jmh = "[" + String.join(",",
                result("AdamWBench", "vector1", "f32", 65536, 0.25),
                result("AdamWBench", "probe", "f32", 65536, 0.125),
                result("AdamWBench", "scalar", "f32", 65536, 1.0),
                result("AdamWBench", "vector1", "bf16", 65536, 0.25),
                result("SgdMomentumBench", "vectorAll", "f32", 16777216, 0.4),
                result("StreamBench", "copy", null, 65536, 0.05)) + "]";
        Path json = dir.resolve("rows.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BenchCommand.report(jmh, json, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);

        // 28 B / 0.25 ns = 112 GB/s, half the probe's speed, 4 x the scalar loop
        assertTrue(table.lines().anyMatch(l -> l.matches("AdamW +vector1 +f32 +64K +1 +0\\.250 +112\\.0 +0\\.50 +4\\.00")), table);
        // bf16 moves 14 B per parameter; no probe or scalar in this run
        assertTrue(table.lines().anyMatch(l -> l.matches("AdamW +vector1 +bf16 +64K +1 +0\\.250 +56\\.0 +- +-")), table);
        assertTrue(table.startsWith("kernel"), table);
        assertFalse(table.contains("copy"), "STREAM is context, not a kernel row: " + table);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.parse(Files.readString(json));
        assertEquals(5, rows.size());
        Map<String, Object> v = rows.stream().filter(r -> r.get("variant").equals("vector1") && r.get("layout").equals("f32"))
                .findFirst().orElseThrow();
        assertEquals(List.of("kernel", "variant", "layout", "size", "threads", "ns_per_param", "gbps", "probe_gbps",
                "ratio_to_probe", "speedup_vs_scalar"), List.copyOf(v.keySet()));
        assertEquals("AdamW", v.get("kernel"));
        assertEquals(65536.0, ((Number) v.get("size")).doubleValue());
        assertEquals(0.25, ((Number) v.get("ns_per_param")).doubleValue(), 1e-9);
        assertEquals(112.0, ((Number) v.get("gbps")).doubleValue(), 1e-9);
        assertEquals(224.0, ((Number) v.get("probe_gbps")).doubleValue(), 1e-9);
        assertEquals(0.5, ((Number) v.get("ratio_to_probe")).doubleValue(), 1e-9);
        assertEquals(4.0, ((Number) v.get("speedup_vs_scalar")).doubleValue(), 1e-9);
        Map<String, Object> sgd = rows.get(rows.size() - 1);
        assertEquals("SGD momentum", sgd.get("kernel"));
        assertEquals(Runtime.getRuntime().availableProcessors(), ((Number) sgd.get("threads")).intValue());
        assertNull(sgd.get("probe_gbps"));
    }
}
