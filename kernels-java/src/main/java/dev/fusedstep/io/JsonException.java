package dev.fusedstep.io;

/** Malformed JSON; {@link #offset()} is the character offset where reading stopped. */
public final class JsonException extends IllegalArgumentException {
    private final int offset;

    public JsonException(String message, int offset) {
        super("JSON at offset " + offset + ": " + message);
        this.offset = offset;
    }

    /** Character offset into the parsed text. */
    public int offset() {
        return offset;
    }
}
