package dev.fusedstep.bench;

import dev.fusedstep.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH JSON result file (AverageTime, ns/op) of these benchmarks into Markdown: per
 * optimizer kernel, variant and size the time per parameter, the bandwidth computed from the
 * bytes the kernel must move, the fraction of its probe's bandwidth, the speed-up over the
 * scalar loop and over the plain Java loop, the spread between forks and, when run with
 * {@code -prof gc}, the bytes allocated per step.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.fusedstep.bench.Report result.json [out.md]}; with
 * {@code out.md} it also writes the chart ({@link SvgChart}) to {@code out.svg}.
 */
public final class Report {

    private record Row(String bench, String method, long size, double nsPerOp, double errorNsPerOp,
            double forkSpread, Double allocBytes) {}

    private Report() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Report <jmh-result.json> [out.md]");
            System.exit(2);
        }
        String json = Files.readString(Path.of(args[0]));
        String md = render(json);
        if (args.length == 2) {
            Files.writeString(Path.of(args[1]), md);
            // the chart goes next to the Markdown: out.md -> out.svg
            String name = Path.of(args[1]).getFileName().toString();
            String stem = name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
            Path svg = Path.of(args[1]).resolveSibling(stem + ".svg");
            Files.writeString(svg, SvgChart.render(BenchRows.rows(json), "fusedstep: GB/s per kernel against its probe"));
        } else {
            System.out.print(md);
        }
    }

    @SuppressWarnings("unchecked")
    static String render(String json) {
        List<Object> results = (List<Object>) Json.parse(json);
        List<Row> rows = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        if (!results.isEmpty()) {
            out.append(settings((Map<String, Object>) results.get(0)));
        }
        for (Object o : results) {
            rows.add(row((Map<String, Object>) o));
        }
        out.append(kernelTable(rows, json));
        out.append(streamTable(rows));
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Row row(Map<String, Object> r) {
        String full = (String) r.get("benchmark");
        int dot = full.lastIndexOf('.');
        String method = full.substring(dot + 1);
        String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
        Map<String, Object> params = (Map<String, Object>) r.getOrDefault("params", Map.of());
        long size = Long.parseLong(String.valueOf(params.getOrDefault("size", "1")));
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
        Object norm = secondary.get("gc.alloc.rate.norm");
        if (norm instanceof Map<?, ?> m) {
            alloc = num(m.get("score"));
        }
        return new Row(cls, method, size, score, error, spread, alloc);
    }

    @SuppressWarnings("unchecked")
    private static String settings(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        b.append("JMH ").append(r.getOrDefault("jmhVersion", "?"))
                .append(", JDK ").append(r.getOrDefault("jdkVersion", "?"))
                .append(" (").append(r.getOrDefault("vmName", "?")).append(' ')
                .append(r.getOrDefault("vmVersion", "?")).append("), ")
                .append(Library.allThreads()).append(" CPUs seen by the report's JVM\n\n");
        b.append("Settings: ").append(fmt0(num(r.get("forks")))).append(" forks, ")
                .append(fmt0(num(r.get("warmupIterations")))).append(" x ").append(r.get("warmupTime"))
                .append(" warm-up, ").append(fmt0(num(r.get("measurementIterations")))).append(" x ")
                .append(r.get("measurementTime")).append(" measurement, mode ").append(r.get("mode"))
                .append("; fork JVM args: `").append(String.join(" ", (List<String>) (List<?>) r.getOrDefault("jvmArgs", List.of())))
                .append("`\n\n");
        return b.toString();
    }

    private static String kernelTable(List<Row> ignored, String json) {
        List<BenchRows.Row> rows = BenchRows.rows(json);
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("| kernel | variant | layout | size | threads | ns/param | ± (99.9%) | fork spread | GB/s | probe GB/s"
                + " | fraction of probe | × scalar | × plainLoop | alloc B/op |\n");
        b.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BenchRows.Row r : rows) {
            b.append("| ").append(r.kernel())
                    .append(" | ").append(r.variant())
                    .append(" | ").append(r.layout())
                    .append(" | ").append(sizeLabel(r.size()))
                    .append(" | ").append(r.threads())
                    .append(" | ").append(fmt3(r.nsPerParam()))
                    .append(" | ").append(fmt3(r.errorNsPerParam()))
                    .append(" | ").append(Double.isNaN(r.forkSpread()) ? "—" : fmtPct(r.forkSpread()))
                    .append(" | ").append(fmt1(r.gbps()))
                    .append(" | ").append(r.probeGbps() == null ? "—" : fmt1(r.probeGbps()))
                    .append(" | ").append(r.fractionOfProbe() == null ? "—" : fmt2(r.fractionOfProbe()))
                    .append(" | ").append(r.speedupVsScalar() == null ? "—" : fmt2(r.speedupVsScalar()))
                    .append(" | ").append(r.speedupVsPlainLoop() == null ? "—" : fmt2(r.speedupVsPlainLoop()))
                    .append(" | ").append(r.allocBytes() == null ? "—" : fmt1(r.allocBytes()))
                    .append(" |\n");
        }
        b.append("\nGB/s counts the bytes the kernel must move per parameter (AdamW: f32 28, bf16 14, master_bf16 28,"
                + " f32_bf16_states 20; SGD momentum: 20, 10, 20, 16; casts 6; L2 norm 4 or 2; the probe the same);"
                + " fraction of probe = probe time / variant time; × scalar and × plainLoop are speed-ups"
                + " (> 1: faster); fork spread = (slowest - fastest fork mean) / score.\n\n");
        return b.toString();
    }

    private static String streamTable(List<Row> rows) {
        List<Row> stream = rows.stream().filter(r -> r.bench.equals("StreamBench"))
                .sorted(Comparator.comparingLong((Row r) -> r.size).thenComparing(r -> r.method)).toList();
        if (stream.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("| STREAM | size | ns/element | GB/s | fork spread |\n|---|---:|---:|---:|---:|\n");
        for (Row r : stream) {
            int bytes = r.method.equals("copy") ? StreamBench.COPY_BYTES_PER_ELEMENT : StreamBench.TRIAD_BYTES_PER_ELEMENT;
            b.append("| ").append(r.method).append(" | ").append(sizeLabel(r.size))
                    .append(" | ").append(fmt3(r.nsPerOp / r.size))
                    .append(" | ").append(fmt1((double) bytes * r.size / r.nsPerOp))
                    .append(" | ").append(Double.isNaN(r.forkSpread) ? "—" : fmtPct(r.forkSpread))
                    .append(" |\n");
        }
        b.append("\nSTREAM counts copy as 8 B and triad as 12 B per element, without the write-allocate read.\n");
        return b.toString();
    }

    private static String sizeLabel(long n) {
        if (n % (1 << 20) == 0) {
            return (n >> 20) + "M";
        }
        if (n % (1 << 10) == 0) {
            return (n >> 10) + "K";
        }
        return Long.toString(n);
    }

    private static double num(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            return Double.parseDouble(s); // JMH writes NaN as a string
        }
        throw new IllegalArgumentException("number: got " + o + ", expected a JSON number");
    }

    private static String fmt0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt3(double v) {
        return v >= 100 ? fmt1(v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String fmtPct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
