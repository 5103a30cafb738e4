package dev.fusedstep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static String result(String method, double nsPerOp) {
        return result("AdamWBench", method, "\"size\":\"65536\"", nsPerOp);
    }

    private static String result(String bench, String method, String params, double nsPerOp) {
        return """
            {"jmhVersion":"1.37","benchmark":"dev.fusedstep.bench.%s.%s","mode":"avgt","threads":1,"forks":2,
             "jvm":"java","jvmArgs":["-Xmx2g"],"jdkVersion":"25","vmName":"VM","vmVersion":"25",
             "warmupIterations":3,"warmupTime":"1 s","measurementIterations":5,"measurementTime":"1 s",
             "params":{%s},
             "primaryMetric":{"score":%s,"scoreError":"NaN","scoreUnit":"ns/op","rawData":[[%s,%s],[%s,%s]]},
             "secondaryMetrics":{"gc.alloc.rate.norm":{"score":0.001,"scoreUnit":"B/op"}}}
            """.formatted(bench, method, params, nsPerOp, nsPerOp, nsPerOp, nsPerOp, nsPerOp);
    }

    @Test
    void rendersBandwidthAndRatios() {
        String md = Report.render("[" + result("probe", 65536 * 0.125) + "," + result("vector1", 65536 * 0.25) + ","
                + result("scalar", 65536 * 1.0) + "]");
        // 28 B / 0.25 ns = 112 GB/s; half the probe's speed; 4x the scalar loop
        assertTrue(md.contains("| AdamW | vector1 | f32 | 64K | 1 | 0.250 | NaN | 0.0% | 112.0 | 224.0 | 0.50 | 4.00 | — | 0.0 |"), md);
        assertTrue(md.contains("| AdamW | probe | f32 | 64K | 1 | 0.125 |"), md);
    }

    @Test
    void comparesEveryOptimizerWithItsOwnProbeAndNd4jRowsWithNd4j() {
        String rmsprop = "\"rule\":\"rmsprop\",\"layout\":\"master_bf16\",\"size\":\"65536\"";
        String adam = "\"rule\":\"adam_amsgrad\",\"layout\":\"master_bf16\",\"size\":\"65536\"";
        String nd4j = "\"rule\":\"nesterovs\",\"size\":\"65536\"";
        String md = Report.render("[" + result("OptimizerBench", "probe", rmsprop, 65536 * 0.1)
                + "," + result("OptimizerBench", "vector1", rmsprop, 65536 * 0.2)
                + "," + result("OptimizerBench", "probe", adam, 65536 * 0.4)
                + "," + result("OptimizerBench", "vector1", adam, 65536 * 0.5)
                + "," + result("Nd4jUpdaterBench", "nd4j", nd4j, 65536 * 3.0)
                + "," + result("Nd4jUpdaterBench", "vector1", nd4j, 65536 * 0.1) + "]");
        // RMSprop, one state, master layout: 2 + 4 + 4 + 4 + 4 + 2 = 20 B; 20 / 0.2 = 100 GB/s, half its probe
        assertTrue(md.contains("| rmsprop | vector1 | master_bf16 | 64K | 1 | 0.200 | NaN | 0.0% | 100.0 | 200.0 | 0.50 | — | — |"), md);
        // AMSGrad, three states: 2 + 4 + 12 + 4 + 12 + 2 = 36 B, against its own probe, not RMSprop's
        assertTrue(md.contains("| adam_amsgrad | vector1 | master_bf16 | 64K | 1 | 0.500 | NaN | 0.0% | 72.0 | 90.0 | 0.80 |"), md);
        // SGD with Nesterov momentum, float32: 20 B; 30x ND4J
        assertTrue(md.contains("| nesterovs vs ND4J | vector1 | f32 | 64K | 1 | 0.100 | NaN | 0.0% | 200.0 | — | — | — | 30.00 |"), md);
    }

    @Test
    void readsGzippedResultsAsPlainOnes(@TempDir Path dir) throws IOException {
        String json = "[" + result("vector1", 65536 * 0.25) + "]";
        Path plain = Files.writeString(dir.resolve("r.json"), json);
        Path gz = dir.resolve("r.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(json, Report.readJson(plain));
        assertEquals(json, Report.readJson(gz));
    }
}
