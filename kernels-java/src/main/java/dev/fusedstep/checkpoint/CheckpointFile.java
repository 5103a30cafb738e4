package dev.fusedstep.checkpoint;

import dev.fusedstep.io.Json;
import dev.fusedstep.io.JsonException;
import dev.fusedstep.io.SafeTensors;
import dev.fusedstep.io.SafeTensorsFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint file, memory-mapped and checked: a valid safetensors file (header length, JSON,
 * names, dtypes, shapes, offsets inside the file and tiling the data without overlap), a
 * fusedstep checkpoint by its {@code format}, with its checksum recomputed over every byte.
 * Loading requires {@link #requireIntact()}; {@code fusedstep inspect} shows a mismatch instead.
 */
public final class CheckpointFile implements AutoCloseable {
    private final SafeTensors file;
    private final ChecksumStatus checksum;

    private CheckpointFile(SafeTensors file, ChecksumStatus checksum) {
        this.file = file;
        this.checksum = checksum;
    }

    /**
     * Maps and checks {@code path}.
     *
     * @throws CheckpointException if it is not a well-formed fusedstep checkpoint (the message says why)
     * @throws IOException if it cannot be read
     */
    public static CheckpointFile open(Path path) throws IOException {
        SafeTensors st;
        try {
            st = SafeTensors.open(path);
        } catch (SafeTensorsFormatException ex) {
            throw new CheckpointException(ex.getMessage(), ex);
        }
        try {
            String format = st.metadata().get(CheckpointLayout.FORMAT_KEY);
            if (!CheckpointLayout.FORMAT.equals(format)) {
                throw new CheckpointException(path + ": format is " + (format == null ? "missing" : "\"" + format + "\"")
                        + ", expected \"" + CheckpointLayout.FORMAT + "\" (a fusedstep checkpoint)");
            }
            return new CheckpointFile(st, FileChecksum.check(st));
        } catch (IOException | RuntimeException | Error ex) {
            st.close();
            throw ex;
        }
    }

    public Path path() {
        return file.path();
    }

    /** The stored and the recomputed checksum. */
    public ChecksumStatus checksum() {
        return checksum;
    }

    /** Throws unless the recomputed checksum is the stored one. */
    public void requireIntact() throws CheckpointException {
        if (!checksum.ok()) {
            throw new CheckpointException(path() + ": checksum mismatch: the file states " + checksum.stored()
                    + " but its bytes give " + checksum.computed()
                    + "; expected them equal (the file was corrupted, truncated or edited after it was written)");
        }
    }

    /** The tensors, as zero-copy views of the mapping, valid until {@link #close()}. */
    public SafeTensors tensors() {
        return file;
    }

    /** The safetensors metadata (strings, most of them JSON). */
    public Map<String, String> metadata() {
        return file.metadata();
    }

    /** The metadata value under {@code key} parsed as JSON, or null where the file has none. */
    public Object json(String key) throws CheckpointException {
        String text = file.metadata().get(key);
        if (text == null) {
            return null;
        }
        try {
            return Json.parse(text);
        } catch (JsonException ex) {
            throw new CheckpointException(path() + ": metadata \"" + key + "\" is not valid JSON: " + ex.getMessage(), ex);
        }
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        file.close();
    }
}
