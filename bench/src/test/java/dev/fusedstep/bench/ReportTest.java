package dev.fusedstep.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReportTest {

    private static String result(String method, double nsPerOp) {
        return """
            {"jmhVersion":"1.37","benchmark":"dev.fusedstep.bench.AdamWBench.%s","mode":"avgt","threads":1,"forks":2,
             "jvm":"java","jvmArgs":["-Xmx2g"],"jdkVersion":"25","vmName":"VM","vmVersion":"25",
             "warmupIterations":3,"warmupTime":"1 s","measurementIterations":5,"measurementTime":"1 s",
             "params":{"size":"65536"},
             "primaryMetric":{"score":%s,"scoreError":"NaN","scoreUnit":"ns/op","rawData":[[%s,%s],[%s,%s]]},
             "secondaryMetrics":{"gc.alloc.rate.norm":{"score":0.001,"scoreUnit":"B/op"}}}
            """.formatted(method, nsPerOp, nsPerOp, nsPerOp, nsPerOp, nsPerOp);
    }

    @Test
    void rendersBandwidthAndRatios() {
        String md = Report.render("[" + result("probe", 65536 * 0.125) + "," + result("vector1", 65536 * 0.25) + ","
                + result("scalar", 65536 * 1.0) + "]");
        // 28 B / 0.25 ns = 112 GB/s; half the probe's speed; 4x the scalar loop
        assertTrue(md.contains("| AdamW | vector1 | f32 | 64K | 1 | 0.250 | NaN | 0.0% | 112.0 | 224.0 | 0.50 | 4.00 | — | 0.0 |"), md);
        assertTrue(md.contains("| AdamW | probe | f32 | 64K | 1 | 0.125 |"), md);
    }
}
