package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java table of kernel signatures must be the kernels' declared parameter lists: parsed here
 * from every {@code extern "C" __global__} declaration under native/src/main/cuda.
 */
class KernelSignaturesTest {

    private static final Pattern KERNEL = Pattern.compile(
            "extern \"C\" __global__ void\\s+(?:__launch_bounds__\\(\\w+\\)\\s*)?(\\w+)\\(([^)]*)\\)");

    @Test
    void tableMatchesTheCudaDeclarations() throws IOException {
        Optional<Path> dir = NativeSources.dir();
        assumeTrue(dir.isPresent(), "native/src/main/cuda not found from " + System.getProperty("user.dir"));
        Map<String, String> declared = new HashMap<>();
        try (Stream<Path> files = Files.walk(dir.get())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
                Matcher m = KERNEL.matcher(Files.readString(f));
                while (m.find()) {
                    declared.put(m.group(1), signature(m.group(2)));
                }
            }
        }
        assertEquals(KernelSignatures.ALL, declared);
    }

    @Test
    void aWrongLaunchIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelSignatures.check("fs_adam_step", "pipppp"));
        assertEquals("fs_adam_step: got arguments \"pipppp\", expected \"pilppp\" (p pointer, i int, l long long,"
                + " f float, d double)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelSignatures.check("fs_nothing", ""));
    }

    /** "const fs_tensor* __restrict__ table, int rows, long long total_chunks" -> "pil". */
    static String signature(String params) {
        StringBuilder s = new StringBuilder();
        for (String raw : params.split(",")) {
            String p = raw.trim();
            if (p.isEmpty()) {
                continue;
            }
            s.append(p.contains("*") ? 'p' : p.startsWith("long long") ? 'l' : p.startsWith("int") ? 'i'
                    : p.startsWith("float") ? 'f' : p.startsWith("double") ? 'd' : '?');
        }
        return s.toString();
    }
}
