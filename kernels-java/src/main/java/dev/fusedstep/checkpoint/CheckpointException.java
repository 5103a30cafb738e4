package dev.fusedstep.checkpoint;

import java.io.IOException;

/**
 * A checkpoint that cannot be loaded: truncated or corrupted (the checksum or the header says
 * so), or written for another run (another optimizer, parameter count, shape, dtype or
 * storage). The message names the file and what differs; nothing was changed.
 */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
