package dev.fusedstep.bench.gpu;

import dev.fusedstep.io.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rows of a GPU run as JSON (torch_optim.py's row fields first, so jmh_rows.py and
 * peer_rows.py take them, then ours), as a plain-text table, and as Markdown beside PyTorch's
 * rows from the same run (torch_optim.py --json) with each target marked met or missed.
 *
 * <p>A PyTorch row is the peer of ours when it is on cuda and has the same kernel, layout,
 * tensor set and bytes per parameter, and the impl the case names (fused, op).
 */
final class GpuReport {

    /** One target's outcome on a row: its description, the measured fraction or ratio, met (null: not known). */
    record Outcome(Target target, Double value, Boolean met) {
        String text() {
            return met == null ? "n/a" : (met ? "met" : "missed") + " (" + target.format(value) + ")";
        }
    }

    private final List<GpuRow> rows;
    private final List<Map<String, Object>> torchRows;
    private final Map<String, GpuRow> byCase = new HashMap<>();

    GpuReport(List<GpuRow> rows, List<Map<String, Object>> torchRows) {
        this.rows = List.copyOf(rows);
        this.torchRows = torchRows == null ? List.of() : List.copyOf(torchRows);
        for (GpuRow r : rows) {
            byCase.put(r.c().id(), r);
        }
    }

    /** PyTorch's row for the same case, or null. */
    Map<String, Object> peer(GpuCase c) {
        if (c.peerImpl() == null) {
            return null;
        }
        for (Map<String, Object> t : torchRows) {
            if ("cuda".equals(t.get("device")) && c.kernel().equals(t.get("kernel")) && c.layout().equals(t.get("layout"))
                    && c.tensors().equals(t.get("tensors")) && c.peerImpl().equals(t.get("impl"))
                    && t.get("bytes_per_param") instanceof Number b && b.longValue() == c.bytesPerParam()
                    && t.get("ms") instanceof Number) {
                return t;
            }
        }
        return null;
    }

    Double torchMs(GpuCase c) {
        Map<String, Object> p = peer(c);
        return p == null ? null : ((Number) p.get("ms")).doubleValue();
    }

    /** PyTorch's ms / ours: above 1 when fusedstep is faster. */
    Double speedupVsTorch(GpuRow r) {
        Double torch = torchMs(r.c());
        return torch == null || !r.measured() ? null : torch / r.ms();
    }

    List<Outcome> outcomes(GpuRow r) {
        List<Outcome> out = new ArrayList<>();
        boolean usable = r.measured() && r.status().equals(GpuRow.OK);
        for (Target t : r.c().targets()) {
            GpuRow base = t.baseline() == null ? null : byCase.get(t.baseline());
            Double baseMs = base == null || !base.measured() ? null : base.ms();
            Double v = t.value(r.gbps(), r.ms(), r.copyGbps(), r.writeGbps(), baseMs, torchMs(r.c()));
            out.add(new Outcome(t, v, usable ? t.met(v) : null));
        }
        return out;
    }

    /** The rows as a JSON list, one row per line. */
    String json() {
        List<String> lines = new ArrayList<>();
        for (GpuRow r : rows) {
            lines.add(Json.write(jsonRow(r)));
        }
        return "[\n" + String.join(",\n", lines) + "\n]\n";
    }

    Map<String, Object> jsonRow(GpuRow r) {
        GpuCase c = r.c();
        Map<String, Object> o = new LinkedHashMap<>();
        // torch_optim.py's fields, in its order (bench/peers/peer_rows.py FIELDS)
        o.put("kernel", c.kernel());
        o.put("variant", c.variant());
        o.put("layout", c.layout());
        o.put("size", c.size());
        o.put("threads", null);
        o.put("ns_per_param", Stats.significant(r.nsPerParam(), 4));
        o.put("gbps", Stats.significant(r.gbps(), 4));
        o.put("device", "cuda");
        o.put("impl", "fusedstep");
        o.put("tensors", c.tensors());
        o.put("bytes_per_param", c.bytesPerParam());
        o.put("ms", Stats.significant(r.ms(), 4));
        o.put("spread", Stats.significant(r.spread(), 3));
        o.put("samples", r.measured() ? r.seconds().length : 0);
        o.put("device_name", r.deviceName());
        o.put("torch", null);
        o.put("anchor_ms", null);
        o.put("note", c.note());
        // ours
        o.put("case", c.id());
        o.put("status", r.status());
        o.put("copy_gbps", Stats.significant(r.copyGbps(), 4));
        o.put("fraction_of_copy", Stats.significant(r.fractionOfCopy(), 3));
        o.put("write_gbps", Stats.significant(r.writeGbps(), 4));
        o.put("fraction_of_write", Stats.significant(r.fractionOfWrite(), 3));
        o.put("torch_ms", torchMs(c));
        o.put("speedup_vs_torch", Stats.significant(speedupVsTorch(r), 3));
        List<Object> targets = new ArrayList<>();
        for (Outcome t : outcomes(r)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", t.target().describe());
            m.put("value", Stats.significant(t.value(), 3));
            m.put("met", t.met());
            targets.add(m);
        }
        o.put("targets", targets);
        return o;
    }

    /** An aligned plain-text table for the log. */
    String table() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"case", "size", "B/param", "ms", "GB/s", "of copy", "spread", "x PyTorch", "status / targets"});
        for (GpuRow r : rows) {
            cells.add(new String[] {r.c().id(), sizeLabel(r.c().size()), Integer.toString(r.c().bytesPerParam()),
                    fmt(r.ms(), "%.4g"), fmt(r.gbps(), "%.1f"), percent(r.fractionOfCopy()), fmt(r.spread(), "%.2f"),
                    fmt(speedupVsTorch(r), "%.2f"), statusAndTargets(r)});
        }
        int[] width = new int[cells.get(0).length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] c : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < c.length; i++) {
                boolean text = i == 0 || i == c.length - 1;
                line.append(i == 0 ? "" : "  ").append(text ? pad(c[i], width[i], true) : pad(c[i], width[i], false));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    /** Markdown: each row of ours beside PyTorch's for the same case, the ratio, and the targets. */
    String markdown(String device, Repetitions reps, String torchSource, List<String> skipped, List<String> failed) {
        StringBuilder b = new StringBuilder();
        b.append("## fusedstep on the GPU beside PyTorch (one run)\n\n");
        b.append("Device: ").append(device).append(". Each row: the median of ").append(reps.describe())
                .append(", timed with CUDA events on the backend's"
                        + " stream, recorded back to back. GB/s from the bytes each job must move (B/param x parameters);"
                        + " \"of copy\": that over the device-to-device copy's GB/s at the same byte count, measured in"
                        + " this run (initializers: over the write probe's, memset). \"PyTorch / fusedstep\": PyTorch's ms"
                        + " over ours (above 1: fusedstep is faster). PyTorch rows: ").append(torchSource).append(".\n\n");
        b.append("| case | kernel | layout | tensors | B/param | ms | GB/s | of copy | of write | PyTorch | PyTorch ms"
                + " | PyTorch GB/s | PyTorch / fusedstep | target | result |\n");
        b.append("|---|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|\n");
        for (GpuRow r : rows) {
            GpuCase c = r.c();
            Map<String, Object> p = peer(c);
            List<Outcome> outcomes = outcomes(r);
            List<String> targets = new ArrayList<>(), results = new ArrayList<>();
            for (Outcome o : outcomes) {
                targets.add(o.target().describe());
                results.add(o.text());
            }
            if (!r.status().equals(GpuRow.OK)) {
                results.add(0, r.status());
            }
            b.append("| ").append(String.join(" | ", c.id(), c.kernel(), c.layout(), c.tensors(),
                    Integer.toString(c.bytesPerParam()), fmt(r.ms(), "%.4g"), fmt(r.gbps(), "%.1f"),
                    percent(r.fractionOfCopy()), percent(r.fractionOfWrite()),
                    p == null ? "-" : "torch_" + p.get("impl"), p == null ? "-" : fmt(num(p.get("ms")), "%.4g"),
                    p == null ? "-" : fmt(num(p.get("gbps")), "%.1f"), fmt(speedupVsTorch(r), "%.2f"),
                    targets.isEmpty() ? "-" : String.join("; ", targets),
                    results.isEmpty() ? "-" : String.join("; ", results))).append(" |\n");
        }
        b.append('\n');
        int met = 0, missed = 0, unknown = 0;
        for (GpuRow r : rows) {
            for (Outcome o : outcomes(r)) {
                if (o.met() == null) {
                    unknown++;
                } else if (o.met()) {
                    met++;
                } else {
                    missed++;
                }
            }
        }
        b.append("Targets: ").append(met).append(" met, ").append(missed).append(" missed, ").append(unknown)
                .append(" not known (case not measured, suspect, or its comparison missing).\n");
        if (!skipped.isEmpty()) {
            b.append("\nSkipped, the time budget being spent: ").append(String.join(", ", skipped)).append(".\n");
        }
        if (!failed.isEmpty()) {
            b.append("\nFailed: ").append(String.join(", ", failed)).append(".\n");
        }
        return b.toString();
    }

    private String statusAndTargets(GpuRow r) {
        List<String> parts = new ArrayList<>();
        if (!r.status().equals(GpuRow.OK)) {
            parts.add(r.status());
        }
        for (Outcome o : outcomes(r)) {
            parts.add(o.target().describe() + ": " + o.text());
        }
        return String.join("; ", parts);
    }

    private static Double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    private static String fmt(Double v, String format) {
        return v == null ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static String percent(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f%%", v * 100);
    }

    private static String pad(String s, int width, boolean left) {
        String spaces = " ".repeat(Math.max(0, width - s.length()));
        return left ? s + spaces : spaces + s;
    }

    /** 64M, 4K as fusedstep prints them; other counts in millions (124.4M), as peer_rows.size_label. */
    static String sizeLabel(long n) {
        if (n % (1 << 20) == 0) {
            return (n >> 20) + "M";
        }
        if (n % (1 << 10) == 0) {
            return (n >> 10) + "K";
        }
        return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
}
