package dev.fusedstep.checkpoint;

/**
 * A checkpoint's checksum as the file states it and as its bytes give it, both spelled
 * {@code "<algorithm>:<8 hex digits>"}.
 */
public record ChecksumStatus(String stored, String computed) {
    /** Whether the file's bytes are the ones it was written with. */
    public boolean ok() {
        return stored.equals(computed);
    }
}
