package dev.fusedstep.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.DType;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file as tools/checkpoint_convert.py writes it from a PyTorch state_dict: a CRC32 (zlib's)
 * checksum, Python's number spelling ({@code 1e-08}), implementation flags and
 * {@code decoupled_weight_decay} in the groups, no {@code precision} and no {@code param_names}.
 * It loads, and gives the state the fusedstep file held.
 */
class ConvertedFileTest {
    @TempDir
    Path dir;

    @Test
    void pythonStyleFileLoads() throws IOException {
        Path java = dir.resolve("java.safetensors");
        byte[] expected;
        Runs.Model saved;
        try (Runs.Model m = new Runs.Model(DType.F32, 1); Optimizer opt = Runs.build(m, new AdamW(), Precision.defaults())) {
            Runs.train(opt, m, 0, 3);
            opt.save(java);
            expected = Runs.snapshot(opt, m);
            saved = m.copy(); // the parameters are the model's, not the checkpoint's
        }
        byte[] good = Files.readAllBytes(java);
        String h = Checkpoints.header(good)
                .replace("\\\"eps\\\":1.0E-8", "\\\"eps\\\":1e-08")
                .replace("\\\"maximize\\\":false", "\\\"maximize\\\":false,\\\"foreach\\\":null,\\\"fused\\\":null,"
                        + "\\\"capturable\\\":false,\\\"differentiable\\\":false,\\\"decoupled_weight_decay\\\":true")
                .replaceAll(",\\\\\"param_names\\\\\":\\[[^\\]]*\\]", "")
                .replaceFirst(",\"precision\":\"(?:[^\"\\\\]|\\\\.)*\"", "")
                .replaceFirst("\"crc32c:[0-9a-f]{8}\"", "\"crc32:00000000\"");
        Path converted = dir.resolve("converted.safetensors");
        Files.write(converted, Checkpoints.restamped(Checkpoints.withHeader(good, h), "crc32", new CRC32()));
        try (Runs.Model m = saved; Optimizer opt = Runs.build(m, new AdamW().withLr(5), Precision.defaults())) {
            try (CheckpointFile f = CheckpointFile.open(converted)) {
                assertEquals(null, f.metadata().get("precision"), "the edit removed precision: " + f.metadata());
                assertEquals(false, f.metadata().get("param_groups").contains("param_names"));
                assertEquals(true, f.checksum().ok());
            }
            opt.load(converted);
            assertEquals(1e-8, ((AdamW) opt.groups().get(0).rule()).eps());
            assertArrayEquals(expected, Runs.snapshot(opt, m));
        }
    }
}
