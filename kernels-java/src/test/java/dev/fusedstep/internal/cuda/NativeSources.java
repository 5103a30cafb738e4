package dev.fusedstep.internal.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The CUDA sources in native/ (inside the project), found from the module folder or the root. */
final class NativeSources {
    private NativeSources() {}

    static Optional<Path> dir() {
        Path here = Path.of(System.getProperty("user.dir", ".")).toAbsolutePath();
        for (Path base : new Path[] {here.resolve("../native"), here.resolve("native")}) {
            Path d = base.resolve("src/main/cuda").normalize();
            if (Files.isRegularFile(d.resolve("common.cuh"))) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    static String read(Path dir, String relative) {
        try {
            return Files.readString(dir.resolve(relative));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
