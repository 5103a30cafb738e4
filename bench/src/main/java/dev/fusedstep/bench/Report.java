package dev.fusedstep.bench;

import dev.fusedstep.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Turns a JMH JSON result file (AverageTime, ns/op) of these benchmarks into Markdown: per
 * optimizer kernel, variant and size the time per parameter, the bandwidth computed from the
 * bytes the kernel must move, the fraction of its probe's bandwidth, the speed-up over the
 * scalar loop and over the peer (the plain Java loop, or ND4J), the spread between forks and, when run with
 * {@code -prof gc}, the bytes allocated per step.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.fusedstep.bench.Report result.json [out.md]}; with
 * {@code out.md} it also writes the chart ({@link SvgChart}) to {@code out.svg}.
 */
public final class Report {

    private Report() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Report <jmh-result.json or .json.gz> [out.md]");
            System.exit(2);
        }
        String json = readJson(Path.of(args[0]));
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

    /**
     * A JMH result, plain or gzipped: bench/results keeps its JSON gzipped (a tenth of the size),
     * because the GPU machine's copy of the working tree has a size limit.
     */
    static String readJson(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(".gz")) {
            return Files.readString(file);
        }
        try (var in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    static String render(String json) {
        List<Object> results = (List<Object>) Json.parse(json);
        StringBuilder out = new StringBuilder();
        if (!results.isEmpty()) {
            out.append(settings((Map<String, Object>) results.get(0)));
        }
        out.append(kernelTable(json));
        out.append(streamTable(BenchRows.measurements(json)));
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static String settings(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        b.append("JMH ").append(r.getOrDefault("jmhVersion", "?"))
                .append(", JDK ").append(r.getOrDefault("jdkVersion", "?"))
                .append(" (").append(r.getOrDefault("vmName", "?")).append(' ')
                .append(r.getOrDefault("vmVersion", "?")).append("), ")
                .append(Library.allThreads()).append(" CPUs seen by the report's JVM\n\n");
        b.append("Settings: ").append(fmt0(BenchRows.num(r.get("forks")))).append(" forks, ")
                .append(fmt0(BenchRows.num(r.get("warmupIterations")))).append(" x ").append(r.get("warmupTime"))
                .append(" warm-up, ").append(fmt0(BenchRows.num(r.get("measurementIterations")))).append(" x ")
                .append(r.get("measurementTime")).append(" measurement, mode ").append(r.get("mode"))
                .append("; fork JVM args: `").append(String.join(" ", (List<String>) (List<?>) r.getOrDefault("jvmArgs", List.of())))
                .append("`\n\n");
        return b.toString();
    }

    private static String kernelTable(String json) {
        List<BenchRows.Row> rows = BenchRows.rows(json);
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("| kernel | variant | layout | size | threads | ns/param | ± (99.9%) | fork spread | GB/s | probe GB/s"
                + " | fraction of probe | × scalar | × peer | alloc B/op |\n");
        b.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BenchRows.Row r : rows) {
            b.append("| ").append(r.kernel())
                    .append(" | ").append(r.variant())
                    .append(" | ").append(r.layout())
                    .append(" | ").append(BenchRows.sizeLabel(r.size()))
                    .append(" | ").append(r.threads())
                    .append(" | ").append(BenchRows.fmt3(r.nsPerParam()))
                    .append(" | ").append(BenchRows.fmt3(r.errorNsPerParam()))
                    .append(" | ").append(Double.isNaN(r.forkSpread()) ? "—" : fmtPct(r.forkSpread()))
                    .append(" | ").append(BenchRows.fmt1(r.gbps()))
                    .append(" | ").append(r.probeGbps() == null ? "—" : BenchRows.fmt1(r.probeGbps()))
                    .append(" | ").append(r.fractionOfProbe() == null ? "—" : BenchRows.fmt2(r.fractionOfProbe()))
                    .append(" | ").append(r.speedupVsScalar() == null ? "—" : BenchRows.fmt2(r.speedupVsScalar()))
                    .append(" | ").append(r.speedupVsPeer() == null ? "—" : BenchRows.fmt2(r.speedupVsPeer()))
                    .append(" | ").append(r.allocBytes() == null ? "—" : BenchRows.fmt1(r.allocBytes()))
                    .append(" |\n");
        }
        b.append("\nGB/s counts the bytes the kernel must move per parameter (AdamW: f32 28, bf16 14, master_bf16 28,"
                + " f32_bf16_states 20; SGD momentum: 20, 10, 20, 16; other optimizers likewise from their state count; casts 6; L2 norm 4 or 2; the probe the same);"
                + " fraction of probe = probe time / variant time; × scalar and × peer are speed-ups"
                + " (> 1: faster) over the scalar loop and over the peer (AdamW, SGD momentum: the plain Java loop;"
                + " \"vs ND4J\" rows: ND4J's updater on all threads); fork spread = (slowest - fastest fork mean) / score.\n\n");
        return b.toString();
    }

    private static String streamTable(List<BenchRows.Measurement> measurements) {
        List<BenchRows.Measurement> stream = measurements.stream().filter(m -> m.bench().equals("StreamBench"))
                .sorted(Comparator.comparingLong(BenchRows.Measurement::size).thenComparing(BenchRows.Measurement::method))
                .toList();
        if (stream.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("| STREAM | size | ns/element | GB/s | fork spread |\n|---|---:|---:|---:|---:|\n");
        for (BenchRows.Measurement r : stream) {
            int bytes = r.method().equals("copy") ? StreamBench.COPY_BYTES_PER_ELEMENT : StreamBench.TRIAD_BYTES_PER_ELEMENT;
            b.append("| ").append(r.method()).append(" | ").append(BenchRows.sizeLabel(r.size()))
                    .append(" | ").append(BenchRows.fmt3(r.nsPerOp() / r.size()))
                    .append(" | ").append(BenchRows.fmt1((double) bytes * r.size() / r.nsPerOp()))
                    .append(" | ").append(Double.isNaN(r.forkSpread()) ? "—" : fmtPct(r.forkSpread()))
                    .append(" |\n");
        }
        b.append("\nSTREAM counts copy as 8 B and triad as 12 B per element, without the write-allocate read.\n");
        return b.toString();
    }

    private static String fmt0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String fmtPct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
