package dev.fusedstep.checkpoint;

import dev.fusedstep.io.SafeTensors;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The checksum every checkpoint carries in its metadata: a CRC over every byte of the file (the
 * length, the header, the data), with the checksum's own 8 hex digits read as {@code '0'}. It
 * covers the header too, so an edited hyperparameter or a flipped byte of padding is caught, not
 * only damaged tensor data. fusedstep writes CRC32C; files from the Python converter carry CRC32
 * (what Python's zlib computes fast); both are read.
 */
final class FileChecksum {
    private FileChecksum() {}

    static final String WRITTEN = "crc32c";
    /** What the writer puts in the header before the data has been read. */
    static final String PLACEHOLDER = WRITTEN + ":00000000";
    private static final int DIGITS = 8;
    /** ByteBuffer views index with int: checksum large regions in slices. */
    private static final long SLICE = 1L << 30;

    static Checksum newChecksum(String algorithm) {
        return switch (algorithm) {
            case "crc32c" -> new CRC32C();
            case "crc32" -> new CRC32();
            default -> throw new IllegalArgumentException("algorithm: got \"" + algorithm + "\", expected crc32c or crc32");
        };
    }

    static String format(String algorithm, long value) {
        return algorithm + ":" + HexFormat.of().toHexDigits((int) value);
    }

    /** Where the 8 digits of {@code stored} (e.g. the placeholder) start in {@code header}; -1 unless it occurs exactly once. */
    static int digitsAt(byte[] header, String stored) {
        byte[] quoted = ("\"" + stored + "\"").getBytes(StandardCharsets.US_ASCII);
        int found = -1;
        for (int i = 0; i + quoted.length <= header.length; i++) {
            if (matches(header, i, quoted)) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found < 0 ? -1 : found + quoted.length - 1 - DIGITS;
    }

    private static boolean matches(byte[] a, int at, byte[] b) {
        for (int j = 0; j < b.length; j++) {
            if (a[at + j] != b[j]) {
                return false;
            }
        }
        return true;
    }

    /** Adds {@code region} to {@code crc} slice by slice, straight from the segment (a mapping or a native buffer). */
    static void update(Checksum crc, MemorySegment region) {
        for (long at = 0; at < region.byteSize(); at += SLICE) {
            crc.update(region.asSlice(at, Math.min(SLICE, region.byteSize() - at)).asByteBuffer());
        }
    }

    /** The file's stored and recomputed checksum; throws if it has none or one that cannot be located. */
    static ChecksumStatus check(SafeTensors file) throws CheckpointException {
        String stored = file.metadata().get(CheckpointLayout.CHECKSUM_KEY);
        if (stored == null) {
            throw new CheckpointException(file.path() + ": metadata has no \"" + CheckpointLayout.CHECKSUM_KEY
                    + "\", expected a checksum such as " + PLACEHOLDER.replace("00000000", "1a2b3c4d"));
        }
        int colon = stored.indexOf(':');
        String algorithm = colon < 0 ? "" : stored.substring(0, colon);
        if (!(algorithm.equals("crc32c") || algorithm.equals("crc32")) || stored.length() != colon + 1 + DIGITS
                || !stored.substring(colon + 1).chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new CheckpointException(file.path() + ": checksum \"" + stored
                    + "\" is malformed, expected crc32c:<8 lowercase hex digits> or crc32:<8 lowercase hex digits>");
        }
        byte[] header = file.bytes().asSlice(0, file.dataStart()).toArray(ValueLayout.JAVA_BYTE);
        int digits = digitsAt(header, stored);
        if (digits < 0) {
            throw new CheckpointException(file.path() + ": checksum \"" + stored
                    + "\" does not occur exactly once, verbatim, in the header; expected the header as written");
        }
        for (int i = 0; i < DIGITS; i++) {
            header[digits + i] = '0';
        }
        Checksum crc = newChecksum(algorithm);
        crc.update(header);
        update(crc, file.bytes().asSlice(file.dataStart()));
        return new ChecksumStatus(stored, format(algorithm, crc.getValue()));
    }
}
