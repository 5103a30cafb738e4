package dev.fusedstep.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.bench.BenchRules;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The GPU case list and the command line: what can be checked without a GPU. */
class GpuCasesTest {

    private static final List<GpuCase> ALL = GpuCases.all();

    private static GpuCase byId(String id) {
        return ALL.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no case " + id));
    }

    @Test
    void idsAreUniqueAndPlain() {
        Set<String> ids = new HashSet<>();
        for (GpuCase c : ALL) {
            assertTrue(ids.add(c.id()), "duplicate id " + c.id());
            assertTrue(c.id().matches("[A-Za-z0-9_-]+"), c.id());
        }
    }

    @Test
    void tensorSetsAreTorchOptimsShapes() {
        // torch_optim.py's self-check asserts the same two numbers for its gpt2_small_shapes()
        assertEquals(148, TensorSets.gpt2Small().size());
        assertEquals(124_439_808L, TensorSets.size(TensorSets.gpt2Small()));
        assertEquals(4096, TensorSets.shapes("4096x4096").size());
        assertEquals(1L << 24, TensorSets.size(TensorSets.shapes("4096x4096")));
        assertEquals(1L << 26, TensorSets.size(TensorSets.shapes("1x64M")));
        assertArrayEqualsLong(new long[] {50257, 768}, TensorSets.gpt2Small().get(0));
        assertArrayEqualsLong(new long[] {768, 2304}, TensorSets.gpt2Small().get(4));
        assertThrows(IllegalArgumentException.class, () -> TensorSets.shapes("1x16M"));
    }

    private static void assertArrayEqualsLong(long[] expected, long[] actual) {
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(actual));
    }

    /** Where PyTorch measures the same job, the bytes per parameter are peer_rows.py's BYTES_PER_PARAM. */
    @Test
    void casesWithAPeerUsePeerRowsByteCounts() {
        Map<String, Integer> peerRows = Map.of("AdamW/f32", 28, "AdamW/master_bf16", 28, "AdamW + GradScaler/f32", 32,
                "AdamW + clip_grad_norm_/f32", 32, "SGD momentum/f32", 20, "AdamW amsgrad/f32", 36, "normal_/f32", 4);
        int withPeer = 0;
        for (GpuCase c : ALL) {
            if (c.peerImpl() != null) {
                withPeer++;
                Integer expected = peerRows.get(c.kernel() + "/" + c.layout());
                assertNotNull(expected, c.id() + ": PyTorch has no row for " + c.kernel() + "/" + c.layout());
                assertEquals(expected, c.bytesPerParam(), c.id());
            }
        }
        assertEquals(10, withPeer);  // 3 AdamW f32, master_bf16, GradScaler, clip, SGD momentum, AdamW amsgrad, 2 normal_
    }

    @Test
    void theIssuesTargets() {
        assertEquals(List.of(Target.ofCopy(0.90)), byId("adamw-f32-1x64M").targets());
        assertEquals(List.of(Target.ofCopy(0.85)), byId(GpuCases.ADAMW_GPT2).targets());
        assertEquals(List.of(Target.ofCopy(0.80)), byId("adamw-f32-4096x4096").targets());
        assertEquals(List.of(Target.ofCopy(0.85), Target.speedupVsTorch(5)), byId("adamw-master_bf16-gpt2-small").targets());
        assertEquals(List.of(Target.timeVs(GpuCases.ADAMW_GPT2, 1.05)), byId("adamw-gradscaler-gpt2-small").targets());
        assertEquals(List.of(Target.timeVs(GpuCases.ADAMW_GPT2, 1.15)), byId("adamw-gradscaler-clip-gpt2-small").targets());
        assertEquals(List.of(Target.ofWrite(0.85)), byId("normal-1x64M").targets());
        assertEquals(List.of(Target.ofWrite(0.85)), byId("uniform-1x64M").targets());
        // every other optimizer on one tensor of 64M: >= 85% of copy
        for (String rule : BenchRules.names()) {
            if (!rule.equals("adamw")) {
                GpuCase c = byId(rule.replace('_', '-') + "-f32-1x64M");
                assertEquals(List.of(Target.ofCopy(0.85)), c.targets(), c.id());
                assertEquals("1x64M", c.tensors());
            }
        }
        for (GpuCase c : ALL) {
            for (Target t : c.targets()) {
                if (t.baseline() != null) {
                    assertTrue(ALL.indexOf(byId(t.baseline())) < ALL.indexOf(c), c.id() + ": its baseline runs first");
                }
            }
            // initializers against the write probe, the rest against the copy
            assertEquals(c.variant().contains("Init"), c.writeProbe(), c.id());
        }
    }

    @Test
    void labelsArePyTorchsWhereItHasTheCase() {
        assertEquals("SGD momentum", byId("sgd-momentum-f32-1x64M").kernel());
        assertEquals("AdamW amsgrad", byId("adamw-amsgrad-f32-1x64M").kernel());
        assertEquals("RMSprop centered", byId("rmsprop-centered-f32-1x64M").kernel());
        assertEquals("NAdam", byId("nadam-f32-1x64M").kernel());
        assertEquals(28, byId("rmsprop-centered-f32-1x64M").bytesPerParam());  // square_avg, momentum, grad_avg
        assertEquals(12, byId("sgd-f32-1x64M").bytesPerParam());
    }

    @Test
    void selectsByRegex() {
        assertEquals(List.of("adamw-f32-1x64M", "adamw-f32-gpt2-small", "adamw-f32-4096x4096"),
                GpuCases.select(ALL, Pattern.compile("^adamw-f32")).stream().map(GpuCase::id).toList());
        assertEquals(ALL, GpuCases.select(ALL, null));
        assertTrue(GpuCases.select(ALL, Pattern.compile("nothing-like-this")).isEmpty());
    }

    @Test
    void parsesTheCommandLine() {
        GpuBenchOptions d = GpuBenchOptions.parse();
        assertFalse(d.list() || d.dryRun() || d.quick() || d.help());
        assertEquals(50, d.repeatsOrDefault());
        assertEquals(new Repetitions(5, 0.5, 50), d.repetitions());
        assertEquals(GpuBenchOptions.DEFAULT_BUDGET_S, d.budgetSeconds());
        assertNull(d.cases());
        GpuBenchOptions q = GpuBenchOptions.parse("--quick", "--cases", "adamw|sgd", "--budget-s", "120", "--json", "r.json",
                "--md", "r.md", "--torch", "t.json", "--device", "1", "--dry-run");
        assertEquals(15, q.repeatsOrDefault());
        assertEquals(new Repetitions(3, 0.2, 15), q.repetitions());
        assertEquals("adamw|sgd", q.cases().pattern());
        assertEquals(120.0, q.budgetSeconds());
        assertEquals(Path.of("r.json"), q.json());
        assertEquals(Path.of("r.md"), q.markdown());
        assertEquals(Path.of("t.json"), q.torch());
        assertEquals(1, q.device());
        assertTrue(q.dryRun());
        GpuBenchOptions r = GpuBenchOptions.parse("--quick", "--repeats", "7", "--warmup", "0", "--warmup-s", "0");
        assertEquals(new Repetitions(0, 0, 7), r.repetitions());
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        String[][] bad = {{"--repeats", "0"}, {"--repeats", "x"}, {"--warmup", "-1"}, {"--warmup-s", "-1"}, {"--budget-s", "0"},
                {"--budget-s", "NaN"}, {"--cases", "("}, {"--json"}, {"--json", "--quick"}, {"--device", "gpu"}, {"--fast"}};
        for (String[] args : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuBenchOptions.parse(args),
                    String.join(" ", args));
            assertTrue(e.getMessage().contains(args[0]), e.getMessage());
        }
    }
}
