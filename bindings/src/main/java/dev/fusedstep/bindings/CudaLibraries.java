package dev.fusedstep.bindings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds the CUDA toolkit's shared libraries (libcudart, libcublas) the same way for each: a file
 * named by a system property alone, if set; else {@code $CUDA_HOME/lib64}, {@code /usr/local/cuda/lib64}
 * and every {@code /usr/local/cuda-*}'s target folder (newest first); else the system loader's
 * search path (LD_LIBRARY_PATH, ldconfig's cache). Never throws: a library that is not there is a
 * {@link NativeLibrary} that says where it was looked for.
 */
final class CudaLibraries {
    private CudaLibraries() {}

    /**
     * Looks for {@code name} (e.g. "libcublas") under {@code sonames}, most wanted first.
     *
     * @param property the system property that may override the search, for the message
     * @param override its value, or null
     * @param cudaHome {@code $CUDA_HOME}, or null
     */
    static NativeLibrary locate(String name, List<String> sonames, String property, String override, String cudaHome) {
        if (override != null && !override.isBlank()) {
            Path file = Path.of(override);
            if (!Files.exists(file)) {
                return NativeLibrary.missing(name, "-D" + property + " names " + override
                        + ", which does not exist; expected the path of a " + name + " shared library");
            }
            return NativeLibrary.load(name, List.of(file), List.of());
        }
        List<Path> files = new ArrayList<>();
        for (Path dir : searchFolders(cudaHome)) {
            for (String soname : sonames) {
                files.add(dir.resolve(soname));
            }
        }
        return NativeLibrary.load(name, files, sonames);
    }

    /** Folders that may hold CUDA's libraries, most specific first, without duplicates. */
    static List<Path> searchFolders(String cudaHome) {
        List<Path> dirs = new ArrayList<>();
        if (cudaHome != null && !cudaHome.isBlank()) {
            dirs.add(Path.of(cudaHome, "lib64"));
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        String target = targetFolder();
        Path local = Path.of("/usr/local");
        if (target != null && Files.isDirectory(local)) {
            try (Stream<Path> entries = Files.list(local)) {
                entries.filter(p -> p.getFileName().toString().startsWith("cuda-"))
                        .sorted((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()))
                        .forEach(p -> dirs.add(p.resolve("targets").resolve(target).resolve("lib")));
            } catch (java.io.IOException | SecurityException e) {
                // An unreadable /usr/local just means fewer places to look.
            }
        }
        return dirs.stream().distinct().toList();
    }

    /** CUDA's name for this machine's target folder, or null where CUDA does not ship one. */
    private static String targetFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return null;
        }
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64-linux";
            case "aarch64" -> "sbsa-linux";
            default -> null;
        };
    }
}
