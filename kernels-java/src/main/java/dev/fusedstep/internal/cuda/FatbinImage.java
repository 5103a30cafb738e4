package dev.fusedstep.internal.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The compiled kernels: {@code fusedstep.fatbin}, built by the native module's nvcc profile.
 * Looked for as the file named by {@code -Dfusedstep.fatbin.path}, else as the classpath resource
 * {@value #RESOURCE} (the fusedstep-native jar, or native/target/classes). Finding nothing is a
 * reason, never an exception: the backend reports it as why CUDA is unavailable.
 *
 * @param bytes  the image, or null if none was found
 * @param source where it came from, or why there is none
 */
public record FatbinImage(byte[] bytes, String source) {

    public static final String PATH_PROPERTY = "fusedstep.fatbin.path";
    public static final String RESOURCE = "/dev/fusedstep/native/fusedstep.fatbin";

    /** The image this JVM would use. */
    public static FatbinImage find() {
        return find(System.getProperty(PATH_PROPERTY), FatbinImage.class);
    }

    static FatbinImage find(String override, Class<?> anchor) {
        if (override != null && !override.isBlank()) {
            Path file = Path.of(override);
            if (!Files.isRegularFile(file)) {
                return missing("-D" + PATH_PROPERTY + " names " + override + ", which is not a file;"
                        + " expected the fusedstep.fatbin that native/ builds");
            }
            try {
                return new FatbinImage(Files.readAllBytes(file), file.toString());
            } catch (IOException e) {
                return missing("-D" + PATH_PROPERTY + " names " + override + ", which cannot be read: " + e.getMessage());
            }
        }
        try (InputStream in = anchor.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return missing("no CUDA kernels: the classpath has no " + RESOURCE.substring(1)
                        + " (build native/ where nvcc is installed, put the fusedstep-native jar on the classpath,"
                        + " or set -D" + PATH_PROPERTY + ")");
            }
            return new FatbinImage(in.readAllBytes(), "classpath " + RESOURCE.substring(1));
        } catch (IOException e) {
            return missing("the classpath resource " + RESOURCE.substring(1) + " cannot be read: " + e.getMessage());
        }
    }

    private static FatbinImage missing(String reason) {
        return new FatbinImage(null, reason);
    }

    public boolean found() {
        return bytes != null;
    }
}
