package dev.fusedstep.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows, their JSON, the runner's handling of refused and failing cases and of the time budget,
 * and the Markdown beside a small fake torch_optim.json: everything but the device code.
 */
class GpuReportTest {

    /** torch_optim.py's row fields, in order (bench/peers/peer_rows.py FIELDS). */
    private static final List<String> PEER_FIELDS = List.of("kernel", "variant", "layout", "size", "threads",
            "ns_per_param", "gbps", "device", "impl", "tensors", "bytes_per_param", "ms", "spread", "samples",
            "device_name", "torch", "anchor_ms", "note");

    private static final long M64 = 1L << 26;

    private static GpuCase byId(String id) {
        return GpuCases.all().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    /** A row of {@code c} at {@code gbps} (one sample) beside a copy probe at {@code copyGbps}. */
    private static GpuRow row(GpuCase c, double gbps, Double copyGbps) {
        return new GpuRow(c, GpuRow.OK, new double[] {c.bytes() / (gbps * 1e9)}, copyGbps, null, "test GPU");
    }

    /** A PyTorch row as torch_optim.py writes it (only the fields the join reads matter). */
    private static Map<String, Object> torchRow(String kernel, String layout, String tensors, String impl, long bytes,
            double ms) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kernel", kernel);
        r.put("variant", "torch_" + impl);
        r.put("layout", layout);
        r.put("device", "cuda");
        r.put("impl", impl);
        r.put("tensors", tensors);
        r.put("bytes_per_param", bytes);
        r.put("ms", ms);
        r.put("gbps", 1000.0);
        return r;
    }

    @Test
    void statisticsArePeerRowsOnes() {
        // peer_rows.py's self-check: 28 B at 0.30, 0.25, 0.20 ns/param over 64K: 0.25 ns/param, 112 GB/s, spread 0.32
        long k64 = 1 << 16;
        double[] s = {0.30e-9 * k64, 0.25e-9 * k64, 0.20e-9 * k64};
        assertEquals(0.25e-9 * k64, Stats.median(s), 1e-18);
        assertEquals(0.32, Stats.significant(Stats.spread(s), 3));
        assertEquals(112.0, Stats.significant(28 * k64 / (Stats.median(s) * 1e9), 4));
        // and its GPU example: 0.165 ms over 64M is 0.002459 ns/param at 4 significant digits
        assertEquals(0.002459, Stats.significant(0.165e-3 * 1e9 / M64, 4));
        assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
        assertEquals(0.0, Stats.spread(new double[] {1}));
        assertNull(Stats.significant(null, 4));
    }

    @Test
    void jsonRowsStartWithTorchOptimsFields() {
        GpuCase adamw = byId("adamw-f32-1x64M");
        GpuRow measured = row(adamw, 2800, 3000.0);
        GpuRow refused = GpuRow.notMeasured(byId("adamw-master_bf16-gpt2-small"), "unsupported: BF16", "test GPU");
        String json = new GpuReport(List.of(measured, refused), List.of()).json();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> back = (List<Map<String, Object>>) (List<?>) Json.parse(json);
        assertEquals(2, back.size());
        assertEquals(PEER_FIELDS, new ArrayList<>(back.get(0).keySet()).subList(0, PEER_FIELDS.size()));
        Map<String, Object> r = back.get(0);
        assertEquals("AdamW", r.get("kernel"));
        assertEquals("cuda", r.get("device"));
        assertEquals("fusedstep", r.get("impl"));
        assertEquals(M64, ((Number) r.get("size")).longValue());
        assertEquals(28L, ((Number) r.get("bytes_per_param")).longValue());
        assertEquals(2800.0, ((Number) r.get("gbps")).doubleValue());
        assertEquals(0.933, ((Number) r.get("fraction_of_copy")).doubleValue());
        assertEquals("ok", r.get("status"));
        @SuppressWarnings("unchecked")
        Map<String, Object> target = ((List<Map<String, Object>>) r.get("targets")).get(0);
        assertEquals(">= 90% of copy", target.get("target"));
        assertEquals(Boolean.TRUE, target.get("met"));
        Map<String, Object> u = back.get(1);
        assertEquals("unsupported: BF16", u.get("status"));
        assertNull(u.get("ms"));
        assertNull(u.get("gbps"));
        assertEquals(0L, ((Number) u.get("samples")).longValue());
    }

    /** A measurer that refuses master_bf16, fails on SGD, and advances a fake clock 10 s per case. */
    private static final class FakeMeasurer implements Measurer {
        final AtomicLong clock;
        int copies, writes;

        FakeMeasurer(AtomicLong clock) {
            this.clock = clock;
        }

        @Override
        public String deviceName() {
            return "fake GPU";
        }

        @Override
        public String memoryLine() {
            return "fake memory";
        }

        @Override
        public Measurement measure(GpuCase c, Repetitions r) {
            clock.addAndGet(10_000_000_000L);
            if (c.layout().equals("master_bf16")) {
                throw new UnsupportedOperationException("master weights on CUDA: not yet");
            }
            if (c.kernel().equals("SGD")) {
                throw new IllegalStateException("cudaErrorIllegalAddress");
            }
            String check = c.kernel().equals("Adagrad") ? "step count 1 after 8 steps" : null;
            return new Measurement(new double[] {c.bytes() / 2.7e12, c.bytes() / 2.6e12, c.bytes() / 2.8e12}, check);
        }

        @Override
        public double[] copy(long bytes, Repetitions r) {
            copies++;
            return new double[] {bytes / 3.0e12};
        }

        @Override
        public double[] write(long bytes, Repetitions r) {
            writes++;
            return new double[] {bytes / 3.2e12};
        }
    }

    @Test
    void runnerTurnsRefusalsAndErrorsIntoRowsAndKeepsToItsBudget() {
        AtomicLong clock = new AtomicLong();
        FakeMeasurer m = new FakeMeasurer(clock);
        List<Integer> writtenAfter = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        GpuRunner runner = new GpuRunner(m, new Repetitions(1, 0, 3), 45, clock::get, new PrintStream(log, true, StandardCharsets.UTF_8),
                rows -> writtenAfter.add(rows.size()));
        List<GpuCase> cases = List.of(byId("adamw-f32-1x64M"), byId("adamw-master_bf16-1x64M"), byId("sgd-f32-1x64M"),
                byId("adagrad-f32-1x64M"), byId("normal-1x64M"), byId("uniform-1x64M"));
        GpuRunner.Result r = runner.run(cases);
        // 0, 10, 20, 30, 40 s: five cases start before 45 s; the sixth is skipped
        assertEquals(List.of("uniform-1x64M"), r.skipped());
        assertEquals(List.of("sgd-f32-1x64M"), r.failed());
        List<String> ids = r.rows().stream().map(x -> x.c().id()).toList();
        assertEquals(List.of("copy-28B-1x64M", "adamw-f32-1x64M", "adamw-master_bf16-1x64M", "copy-12B-1x64M",
                "sgd-f32-1x64M", "copy-20B-1x64M", "adagrad-f32-1x64M", "write-4B-1x64M", "normal-1x64M"), ids);
        assertEquals(3, m.copies);  // 28 B x 64M once (master_bf16 moves as many bytes), 12 B, 20 B
        assertEquals(1, m.writes);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), writtenAfter);  // the JSON is rewritten after every row
        GpuRow master = r.rows().get(2);
        assertEquals("unsupported: UnsupportedOperationException: master weights on CUDA: not yet", master.status());
        assertTrue(r.rows().get(4).status().startsWith("failed: IllegalStateException: cudaErrorIllegalAddress"));
        assertEquals("suspect: step count 1 after 8 steps", r.rows().get(6).status());
        GpuRow normal = r.rows().get(8);
        assertNull(normal.copyGbps());
        assertEquals(2700.0 / 3200, normal.fractionOfWrite(), 1e-12);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("adamw-master_bf16-1x64M: unsupported"), text);
        assertTrue(text.contains("skipped uniform-1x64M"), text);
    }

    @Test
    void markdownPutsOurRowsBesidePyTorchsAndMarksTargets() {
        GpuRow copy = new GpuRow(GpuRunner.probeCase(byId("adamw-f32-1x64M"), false), GpuRow.OK,
                new double[] {28.0 * M64 / 3.0e12}, null, null, "test GPU");
        GpuRow adamw = row(byId("adamw-f32-1x64M"), 2850, 3000.0);  // 95% of copy: met
        GpuRow gpt2 = row(byId(GpuCases.ADAMW_GPT2), 2400, 3000.0);  // 80%: missed
        GpuRow master = row(byId("adamw-master_bf16-gpt2-small"), 2700, 3000.0);
        GpuRow scaled = new GpuRow(byId("adamw-gradscaler-gpt2-small"), GpuRow.OK,
                new double[] {gpt2.medianSeconds() * 1.04}, 3000.0, null, "test GPU");  // 1.04 x: met
        GpuRow refused = GpuRow.notMeasured(byId("adamw-master_bf16-1x64M"), "unsupported: IllegalArgumentException: BF16",
                "test GPU");
        double masterMs = master.ms();
        List<Map<String, Object>> torch = List.of(
                torchRow("copy", "f32", "1x64M", "op", 28, copy.ms() * 1.1),
                torchRow("AdamW", "f32", "1x64M", "fused", 28, adamw.ms() * 1.25),
                torchRow("AdamW", "f32", "1x64M", "foreach", 28, 99.0),  // not the impl the case names
                torchRow("AdamW", "master_bf16", "gpt2-small", "fused", 28, masterMs * 6),  // >= 5 x: met
                torchRow("AdamW", "f32", "gpt2-small", "fused", 32, 99.0));  // other byte count: no peer
        GpuReport report = new GpuReport(List.of(copy, adamw, gpt2, master, scaled, refused), torch);
        String md = report.markdown("test GPU", new Repetitions(5, 0.5, 50), "5 rows from t.json", List.of("uniform-1x64M"),
                List.of());
        assertTrue(md.contains("| adamw-f32-1x64M | AdamW | f32 | 1x64M | 28 | " + fmt(adamw.ms()) + " | 2850.0 | 95.0% | - |"
                + " torch_fused | " + fmt(adamw.ms() * 1.25) + " | 1000.0 | 1.25 | >= 90% of copy | met (95.0%) |"), md);
        assertTrue(md.contains("| copy-28B-1x64M | copy | f32 | 1x64M | 28 |"), md);
        assertTrue(md.contains("| torch_op | " + fmt(copy.ms() * 1.1) + " | 1000.0 | 1.10 |"), md);
        assertTrue(md.contains("| adamw-f32-gpt2-small | AdamW | f32 | gpt2-small | 28 | " + fmt(gpt2.ms())
                + " | 2400.0 | 80.0% | - | - | - | - | - | >= 85% of copy | missed (80.0%) |"), md);
        assertTrue(md.contains("| >= 85% of copy; >= 5 x PyTorch | met (90.0%); met (6.00 x) |"), md);
        assertTrue(md.contains("| <= 1.05 x adamw-f32-gpt2-small | met (1.04 x) |"), md);
        assertTrue(md.contains("| adamw-master_bf16-1x64M | AdamW | master_bf16 | 1x64M | 28 | - | - | - | - | - | - | - | - |"
                + " >= 85% of copy | unsupported: IllegalArgumentException: BF16; n/a |"), md);
        assertTrue(md.contains("Targets: 4 met, 1 missed, 1 not known"), md);
        assertTrue(md.contains("Skipped, the time budget being spent: uniform-1x64M."), md);
        assertTrue(md.contains("PyTorch rows: 5 rows from t.json."), md);
        assertTrue(md.contains("the median of 50 timed steps after at least 5 warm-up steps and 0.5 s of them"), md);
        String table = report.table();
        assertTrue(table.lines().anyMatch(l -> l.startsWith("adamw-f32-1x64M") && l.contains("95.0%")
                && l.endsWith(">= 90% of copy: met (95.0%)")), table);
    }

    private static String fmt(double ms) {
        return String.format(java.util.Locale.ROOT, "%.4g", ms);
    }

    @Test
    void dryRunWritesRowsAndMarkdownBesideATorchFile(@TempDir Path dir) throws Exception {
        Path torch = dir.resolve("torch_optim.json");
        Files.writeString(torch, Json.write(List.of(torchRow("AdamW", "f32", "1x64M", "fused", 28, 1.0))));
        Path json = dir.resolve("out/gpu.json"), md = dir.resolve("out/gpu.md");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = GpuBench.run(new String[] {"--dry-run", "--quick", "--cases", "^adamw-f32-1x64M$|^normal-1x64M$",
                "--torch", torch.toString(), "--json", json.toString(), "--md", md.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        List<?> rows = (List<?>) Json.parse(Files.readString(json));
        assertEquals(4, rows.size());  // copy probe, AdamW, write probe, normal_
        String text = Files.readString(md);
        // dry run: 2700 GB/s over a copy at 3000, 1 ms of PyTorch over AdamW's made-up time
        assertTrue(text.contains("| adamw-f32-1x64M | AdamW | f32 | 1x64M | 28 |"), text);
        assertTrue(text.contains("torch_fused | 1.000 |"), text);
        assertTrue(text.contains(">= 90% of copy | met (90.0%)"), text);
        // made-up 2700 GB/s over a made-up write probe at 3200: 84.4%, under the 85% target
        assertTrue(text.contains(">= 85% of write | missed (84.4%)"), text);
    }

    @Test
    void commandLineErrorsAndTheList() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8), e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, GpuBench.run(new String[] {"--repeats", "0"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--repeats: got 0"));
        assertEquals(2, GpuBench.run(new String[] {"--cases", "no-such-case"}, o, e));
        assertEquals(0, GpuBench.run(new String[] {"--list"}, o, e));
        String list = out.toString(StandardCharsets.UTF_8);
        assertTrue(list.contains(GpuCases.all().size() + " cases"), list);
        assertTrue(list.lines().anyMatch(l -> l.startsWith("adamw-master_bf16-gpt2-small") && l.contains("124.4M")
                && l.contains(">= 85% of copy; >= 5 x PyTorch")), list);
    }
}
