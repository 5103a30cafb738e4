package dev.fusedstep.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.io.SafeTensors;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.schedule.CosineAnnealingLR;
import dev.fusedstep.schedule.LrScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few hundred damaged copies of one checkpoint (fixed seed): flipped bytes anywhere, flipped
 * bytes in the header, truncation at and around every section boundary, appended bytes, and
 * edited headers, with and without a recomputed checksum. Each must be refused with a
 * {@link CheckpointException}, leaving optimizer, scheduler and scaler with the bits they had.
 */
class CorruptionTest {
    private static final Runs.Layout LAYOUT = Runs.LAYOUTS.get(6); // bf16 + master + stochastic rounding: every kind of tensor

    @TempDir
    Path dir;

    private byte[] good;

    @BeforeEach
    void writeAGoodCheckpoint() throws IOException {
        Path file = dir.resolve("good.safetensors");
        try (Runs.Model m = new Runs.Model(LAYOUT.dtype(), 3); Optimizer opt = Runs.build(m, new NAdam(), LAYOUT.precision())) {
            LrScheduler sched = new LrScheduler(opt, new CosineAnnealingLR(20, 0));
            Runs.train(opt, m, 0, 4);
            for (int s = 0; s < 4; s++) {
                sched.step();
            }
            TrainingState.of(opt).withScheduler(sched).withScaler(new GradScaler()).save(file);
        }
        good = Files.readAllBytes(file);
    }

    @Test
    void everyCorruptionIsRefusedAndChangesNothing() throws IOException {
        Map<String, byte[]> cases = corruptions(new Random(20261202));
        assertTrue(cases.size() >= 300, "cases: " + cases.size());
        try (Runs.Model m = new Runs.Model(LAYOUT.dtype(), 9); Optimizer opt = Runs.build(m, new NAdam(), LAYOUT.precision())) {
            LrScheduler sched = new LrScheduler(opt, new CosineAnnealingLR(20, 0));
            GradScaler scaler = new GradScaler();
            Runs.train(opt, m, 0, 2);
            sched.step();
            TrainingState state = TrainingState.of(opt).withScheduler(sched).withScaler(scaler);
            byte[] before = Runs.snapshot(opt, m);
            Path bad = dir.resolve("bad.safetensors");
            for (Map.Entry<String, byte[]> c : cases.entrySet()) {
                Files.write(bad, c.getValue());
                try {
                    state.load(bad);
                    fail(c.getKey() + ": loaded without complaint");
                } catch (CheckpointException expected) {
                    // the message names the file; what it says is checked in MismatchTest
                    assertTrue(expected.getMessage().contains(bad.toString()), c.getKey() + ": " + expected.getMessage());
                }
                assertArrayEquals(before, Runs.snapshot(opt, m), c.getKey() + ": the optimizer changed");
                assertTrue(sched.lastStep() == 1 && scaler.scale() == 65536f && scaler.growthTracker() == 0,
                        c.getKey() + ": scheduler or scaler changed");
            }
            // and the undamaged file loads into the same optimizer
            Files.write(bad, good);
            state.load(bad);
            assertTrue(sched.lastStep() == 4);
        }
    }

    @Test
    void editedHyperparameterWithItsChecksumLoads() throws IOException {
        String h = Checkpoints.header(good);
        Path file = dir.resolve("edited.safetensors");
        Files.write(file, Checkpoints.restamped(Checkpoints.withHeader(good, h.replaceFirst("\\\\\"lr\\\\\":", "\\\\\"lr\\\\\":1"))));
        try (Runs.Model m = new Runs.Model(LAYOUT.dtype(), 9); Optimizer opt = Runs.build(m, new NAdam(), LAYOUT.precision())) {
            opt.load(file);
            assertEquals(10.0018090169943749475, opt.groups().get(0).lr(), "the edited lr, \"1\" put before 0.0018...");
        }
    }

    private Map<String, byte[]> corruptions(Random rnd) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int headerEnd = 8 + (int) Checkpoints.headerLength(good);
        for (int k = 0; k < 150; k++) {
            int at = rnd.nextInt(good.length);
            out.put("flip byte " + at + " of " + good.length, flip(at, rnd));
        }
        for (int k = 0; k < 60; k++) {
            int at = rnd.nextInt(headerEnd);
            out.put("flip header byte " + at, flip(at, rnd));
        }
        for (int at : boundaries(headerEnd)) {
            for (int d = -1; d <= 1; d++) {
                int len = at + d;
                if (len >= 0 && len < good.length) {
                    out.put("truncate to " + len, java.util.Arrays.copyOf(good, len));
                }
            }
        }
        for (int k = 0; k < 30; k++) {
            int len = rnd.nextInt(good.length);
            out.put("truncate to " + len, java.util.Arrays.copyOf(good, len));
        }
        out.put("one byte appended", java.util.Arrays.copyOf(good, good.length + 1));
        out.put("a page appended", java.util.Arrays.copyOf(good, good.length + 4096));
        out.putAll(headerEdits());
        return out;
    }

    private byte[] flip(int at, Random rnd) {
        byte[] b = good.clone();
        b[at] ^= (byte) (1 + rnd.nextInt(255));
        return b;
    }

    /** The header length, the header, and the start and end of every tensor's bytes. */
    private List<Integer> boundaries(int headerEnd) throws IOException {
        TreeSet<Integer> at = new TreeSet<>(List.of(0, 8, headerEnd / 2, headerEnd, good.length - 1));
        Path file = dir.resolve("bounds.safetensors");
        Files.write(file, good);
        try (SafeTensors st = SafeTensors.open(file)) {
            for (String name : st.names()) {
                long[] o = st.dataOffsets(name);
                at.add(headerEnd + (int) o[0]);
                at.add(headerEnd + (int) o[1]);
                at.add(headerEnd + (int) ((o[0] + o[1]) / 2));
            }
        }
        return new ArrayList<>(at);
    }

    /** Edits a person or a bug might make: each once keeping the stale checksum, once with it recomputed. */
    private Map<String, byte[]> headerEdits() {
        String h = Checkpoints.header(good);
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("lr changed", h.replaceFirst("\\\\\"lr\\\\\":", "\\\\\"lr\\\\\":1"));
        edits.put("dtype changed", h.replaceFirst("\"dtype\":\"F32\"", "\"dtype\":\"F16\""));
        edits.put("unknown dtype", h.replaceFirst("\"dtype\":\"F64\"", "\"dtype\":\"I64\""));
        edits.put("shape changed", h.replaceFirst("\"shape\":\\[33,31\\]", "\"shape\":[31,33]"));
        edits.put("tensor renamed", h.replaceFirst("\"state\\.0\\.exp_avg\"", "\"state.0.exp_avgx\""));
        edits.put("tensor moved to another parameter", h.replaceFirst("\"state\\.2\\.exp_avg\"", "\"state.7.exp_avg\""));
        edits.put("offsets overlap", h.replaceFirst("\"data_offsets\":\\[0,", "\"data_offsets\":[4,"));
        edits.put("format changed", h.replace("fusedstep-checkpoint/1", "fusedstep-checkpoint/2"));
        edits.put("checksum removed", h.replaceFirst(",\"checksum\":\"crc32c:[0-9a-f]{8}\"", ""));
        edits.put("checksum algorithm unknown", h.replaceFirst("\"crc32c:", "\"md5:"));
        edits.put("group params renumbered", h.replaceFirst("\\\\\"params\\\\\":\\[0,1\\]", "\\\\\"params\\\\\":[1,0]"));
        edits.put("param renamed", h.replaceFirst("fc\\.bias", "fc.bias2"));
        edits.put("optimizer class", h.replaceFirst("\\[\\\\\"NAdam\\\\\",", "[\\\\\"RAdam\\\\\","));
        edits.put("seed", h.replaceFirst("\\\\\"seed\\\\\":7", "\\\\\"seed\\\\\":8"));
        edits.put("scheduler step negative", h.replaceFirst("\\\\\"last_epoch\\\\\":4", "\\\\\"last_epoch\\\\\":-4"));
        edits.put("scaler tracker too large", h.replaceFirst("\\\\\"_growth_tracker\\\\\":0", "\\\\\"_growth_tracker\\\\\":5000"));
        edits.put("metadata not JSON", h.replaceFirst("\"param_groups\":\"\\[", "\"param_groups\":\"[["));
        edits.put("header not an object", "[" + h.substring(1));
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : edits.entrySet()) {
            if (e.getValue().equals(h)) {
                throw new IllegalStateException("edit '" + e.getKey() + "' matched nothing in the header: " + h);
            }
            byte[] edited = Checkpoints.withHeader(good, e.getValue());
            out.put("header edit: " + e.getKey(), edited);
            // An lr edited with a recomputed checksum is a valid file (see editedHyperparameterWithItsChecksumLoads).
            if (e.getValue().contains("\"crc32c:") && !e.getKey().equals("lr changed")) {
                out.put("header edit, checksum recomputed: " + e.getKey(), Checkpoints.restamped(edited));
            }
        }
        return out;
    }
}
