package dev.fusedstep.bench;

import dev.fusedstep.io.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The rows every report shows, built from a JMH JSON result (AverageTime, ns/op): per kernel,
 * variant, layout and size the time per parameter, the bandwidth from the bytes the kernel
 * must move, its probe's bandwidth, the fraction of the probe and the speed-ups over the scalar
 * loop and over the peer (the plain Java loop, or ND4J). Used by {@link Report}, {@link SvgChart} and {@code fusedstep bench}.
 */
public final class BenchRows {
    private BenchRows() {}

    /** One JMH result: benchmark class (simple name), method, its params, and the score in ns/op. */
    public record Measurement(String bench, String method, Map<String, String> params, double nsPerOp,
            double errorNsPerOp, double forkSpread, Double allocBytes) {

        long size() {
            return Long.parseLong(params.getOrDefault("size", "1"));
        }

        /** The storage layout, or the cast, this result ran with; float32 when it has none. */
        String layout() {
            return params.getOrDefault("layout", params.getOrDefault("cast", "f32"));
        }
    }

    /**
     * One report row. Absent comparisons (no probe, scalar or plain loop in the run) are null.
     * {@code fractionOfProbe} = probe time / this row's time = {@code gbps / probeGbps}.
     */
    public record Row(String kernel, String variant, String layout, long size, int threads, double nsPerParam,
            double errorNsPerParam, double forkSpread, double gbps, Double probeGbps, Double fractionOfProbe,
            Double speedupVsScalar, Double speedupVsPeer, Double allocBytes) {}

    /**
     * A kernel family: its display name and the bytes per parameter it must move (both from a
     * result's params), and the method name of the peer it is compared with, if any.
     */
    private record Kernel(Function<Measurement, String> name, ToIntFunction<Measurement> bytesPerParam, String peer) {}

    /** Benchmark classes that measure kernels against probes or peers; anything else (STREAM) is context. */
    private static final Map<String, Kernel> KERNELS = new LinkedHashMap<>();

    /** States of the rules in bench/peers/nd4j's Nd4jUpdaterBench (a class outside this module). */
    private static final Map<String, Integer> ND4J_RULE_STATES =
            Map.of("adam", 2, "adamw", 2, "nesterovs", 1, "rmsprop", 1, "adagrad", 1);

    static {
        KERNELS.put("AdamWBench", new Kernel(m -> "AdamW",
                m -> Layout.of(m.layout()).bytesPerParam(AdamWBench.STATES), "plainLoop"));
        KERNELS.put("SgdMomentumBench", new Kernel(m -> "SGD momentum",
                m -> Layout.of(m.layout()).bytesPerParam(SgdMomentumBench.STATES), "plainLoop"));
        KERNELS.put("OptimizerBench", new Kernel(m -> m.params().get("rule"),
                m -> BenchRules.bytesPerParam(m.params().get("rule"), m.layout()), null));
        KERNELS.put("Nd4jUpdaterBench", new Kernel(m -> m.params().get("rule") + " vs ND4J",
                m -> Layout.F32.bytesPerParam(ND4J_RULE_STATES.get(m.params().get("rule"))), "nd4j"));
        KERNELS.put("CastsBench", new Kernel(m -> "cast", m -> CastsBench.bytesPerElement(m.layout()), null));
        KERNELS.put("NormBench", new Kernel(m -> "L2 norm", m -> NormBench.bytesPerElement(m.layout()), null));
        KERNELS.put("InitBench", new Kernel(m -> "init", m -> InitBench.BYTES_PER_ELEMENT, null));
    }

    private static final List<String> VARIANT_ORDER =
            List.of("nd4j", "nd4j1", "scalar", "plainLoop", "vector1Early", "vector1", "vectorAll", "probe");
    private static final List<String> LAYOUT_ORDER = List.of("f32", "bf16", "f16", "master_bf16", "f32_bf16_states",
            "f32_to_bf16", "f32_to_f16", "bf16_to_f32");

    /** Threads a variant ran on: {@code vectorAll} and ND4J (its default) use every core, the others one. */
    static int threads(String variant) {
        return variant.equals("vectorAll") || variant.equals("nd4j") ? Library.allThreads() : 1;
    }

    /** Every result in a JMH JSON file. */
    @SuppressWarnings("unchecked")
    public static List<Measurement> measurements(String jmhJson) {
        List<Measurement> out = new ArrayList<>();
        for (Object o : (List<Object>) Json.parse(jmhJson)) {
            out.add(measurement((Map<String, Object>) o));
        }
        return out;
    }

    /** The kernel rows of a JMH JSON file, in report order (kernel, layout, size, variant). */
    public static List<Row> rows(String jmhJson) {
        return rows(measurements(jmhJson));
    }

    public static List<Row> rows(List<Measurement> ms) {
        Map<String, Measurement> byKey = new HashMap<>();
        for (Measurement m : ms) {
            if (KERNELS.containsKey(m.bench())) {
                byKey.put(key(m, m.method()), m);
            }
        }
        List<String> benches = List.copyOf(KERNELS.keySet());
        List<Measurement> ours = ms.stream().filter(m -> KERNELS.containsKey(m.bench()))
                .sorted(Comparator.comparingInt((Measurement m) -> benches.indexOf(m.bench()))
                        .thenComparing(m -> KERNELS.get(m.bench()).name().apply(m))
                        .thenComparingInt(m -> rank(LAYOUT_ORDER, m.layout()))
                        .thenComparingLong(Measurement::size)
                        .thenComparingInt(m -> rank(VARIANT_ORDER, m.method())))
                .toList();
        List<Row> rows = new ArrayList<>();
        for (Measurement m : ours) {
            Kernel k = KERNELS.get(m.bench());
            long n = m.size();
            int bytes = k.bytesPerParam().applyAsInt(m);
            Measurement probe = byKey.get(key(m, "probe"));
            Measurement scalar = byKey.get(key(m, "scalar"));
            // The plain loop exists for float32 only (it has no layout param, so it reads as f32).
            Measurement peer = k.peer() == null ? null : byKey.get(key(m, k.peer()));
            double gbps = (double) bytes * n / m.nsPerOp();
            rows.add(new Row(k.name().apply(m), m.method(), m.layout(), n, threads(m.method()), m.nsPerOp() / n,
                    m.errorNsPerOp() / n, m.forkSpread(), gbps,
                    probe == null ? null : (double) bytes * n / probe.nsPerOp(),
                    probe == null ? null : probe.nsPerOp() / m.nsPerOp(),
                    scalar == null ? null : scalar.nsPerOp() / m.nsPerOp(),
                    peer == null ? null : peer.nsPerOp() / m.nsPerOp(),
                    m.allocBytes()));
        }
        return rows;
    }

    /**
     * The rows as JSON: a list of objects with the fields kernel, variant, layout, size, threads,
     * ns_per_param, gbps, probe_gbps, ratio_to_probe, speedup_vs_scalar (null where the run had
     * no probe or no scalar loop to compare with).
     */
    public static String json(List<Row> rows) {
        List<Object> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("kernel", r.kernel());
            o.put("variant", r.variant());
            o.put("layout", r.layout());
            o.put("size", r.size());
            o.put("threads", r.threads());
            o.put("ns_per_param", round(r.nsPerParam(), 4));
            o.put("gbps", round(r.gbps(), 2));
            o.put("probe_gbps", r.probeGbps() == null ? null : round(r.probeGbps(), 2));
            o.put("ratio_to_probe", r.fractionOfProbe() == null ? null : round(r.fractionOfProbe(), 3));
            o.put("speedup_vs_scalar", r.speedupVsScalar() == null ? null : round(r.speedupVsScalar(), 3));
            out.add(o);
        }
        return Json.write(out);
    }

    /** The rows as an aligned plain-text table for a terminal. */
    public static String table(List<Row> rows) {
        String[] head = {"kernel", "variant", "layout", "size", "threads", "ns/param", "GB/s", "of probe", "x scalar"};
        List<String[]> cells = new ArrayList<>();
        cells.add(head);
        for (Row r : rows) {
            cells.add(new String[] {r.kernel(), r.variant(), r.layout(), sizeLabel(r.size()), Integer.toString(r.threads()),
                    fmt3(r.nsPerParam()), fmt1(r.gbps()), r.fractionOfProbe() == null ? "-" : fmt2(r.fractionOfProbe()),
                    r.speedupVsScalar() == null ? "-" : fmt2(r.speedupVsScalar())});
        }
        int[] width = new int[head.length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                // text columns left-aligned, numbers right-aligned
                String f = i < 3 ? "%-" + width[i] + "s" : "%" + width[i] + "s";
                b.append(i == 0 ? "" : "  ").append(String.format(Locale.ROOT, f, c[i]));
            }
            b.append('\n');
        }
        return b.toString().replaceAll(" +\n", "\n");
    }

    @SuppressWarnings("unchecked")
    private static Measurement measurement(Map<String, Object> r) {
        String full = (String) r.get("benchmark");
        int dot = full.lastIndexOf('.');
        String method = full.substring(dot + 1);
        String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
        Map<String, String> params = new LinkedHashMap<>();
        ((Map<String, Object>) r.getOrDefault("params", Map.of())).forEach((k, v) -> params.put(k, String.valueOf(v)));
        Map<String, Object> pm = (Map<String, Object>) r.get("primaryMetric");
        String unit = (String) pm.get("scoreUnit");
        if (!"ns/op".equals(unit)) {
            throw new IllegalArgumentException("scoreUnit of " + full + ": got " + unit + ", expected ns/op (AverageTime)");
        }
        double score = num(pm.get("score"));
        double error = num(pm.get("scoreError"));
        double spread = Double.NaN;
        List<Object> raw = (List<Object>) pm.get("rawData");
        if (raw != null && raw.size() > 1) {
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (Object fork : raw) {
                double sum = 0;
                List<Object> its = (List<Object>) fork;
                for (Object it : its) {
                    sum += num(it);
                }
                double mean = sum / its.size();
                min = Math.min(min, mean);
                max = Math.max(max, mean);
            }
            spread = (max - min) / score;
        }
        Double alloc = null;
        Map<String, Object> secondary = (Map<String, Object>) r.getOrDefault("secondaryMetrics", Map.of());
        if (secondary.get("gc.alloc.rate.norm") instanceof Map<?, ?> m) {
            alloc = num(m.get("score"));
        }
        return new Measurement(cls, method, params, score, error, spread, alloc);
    }

    /** Identifies {@code m}'s sibling result with another method: same class, kernel, layout and size. */
    private static String key(Measurement m, String method) {
        return m.bench() + '.' + KERNELS.get(m.bench()).name().apply(m) + '.' + method + '/' + m.layout() + '@' + m.size();
    }

    private static int rank(List<String> order, String s) {
        int i = order.indexOf(s);
        return i < 0 ? order.size() : i;
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    static double num(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            return Double.parseDouble(s); // JMH writes NaN as a string
        }
        throw new IllegalArgumentException("number: got " + o + ", expected a JSON number");
    }

    static String sizeLabel(long n) {
        if (n % (1 << 20) == 0) {
            return (n >> 20) + "M";
        }
        if (n % (1 << 10) == 0) {
            return (n >> 10) + "K";
        }
        return Long.toString(n);
    }

    static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String fmt3(double v) {
        return v >= 100 ? fmt1(v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
