package dev.fusedstep.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.optim.Optimizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) while it saves leaves a checkpoint that loads and verifies: the
 * previous one or a later complete one, never a torn file. A child JVM ({@link SaveLoop}) saves a
 * 4M-parameter AdamW state (32 MB) in a loop; it is killed a few milliseconds into a save.
 */
class KilledSaveTest {
    private static final long N = 4L << 20;

    @TempDir
    Path dir;

    @Test
    void killedDuringSaveLeavesALoadableCheckpoint() throws Exception {
        Path file = dir.resolve("opt.safetensors");
        try (Arena arena = Arena.ofShared(); Optimizer opt = SaveLoop.build(arena, N)) {
            opt.step();
            opt.save(file); // the previous checkpoint: step 1
        }
        int tornWrites = 0;
        for (int trial = 0; trial < 4; trial++) {
            Process child = start(file);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (int saves = 0; saves < 2 + trial; saves++) {
                    String line = out.readLine();
                    assertEquals("saving", line, "child output (is the test classpath runnable?)");
                }
                Thread.sleep(3L * trial); // into the write of a 32 MB file
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child exits once killed");
            } finally {
                child.destroyForcibly();
            }
            tornWrites += temporaryFiles().size();
            try (Arena arena = Arena.ofShared(); Optimizer opt = SaveLoop.build(arena, N)) {
                opt.load(file); // checksum, header and shapes verified
                long step = opt.scalarState("w").step();
                assertTrue(step >= 1, "step " + step);
            }
            for (Path t : temporaryFiles()) {
                Files.delete(t);
            }
        }
        // Without a kill inside a write the test would only show that complete saves load.
        assertTrue(tornWrites > 0, "at least one kill landed inside a save (a temporary file was left)");
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static Process start(Path file) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SaveLoop.class.getName(),
                file.toString(), Long.toString(N))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
