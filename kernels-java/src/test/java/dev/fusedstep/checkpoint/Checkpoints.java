package dev.fusedstep.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * Test-side reading and forging of checkpoint bytes, written from the format's description (not
 * from the library's code): the header length, the header text, and the checksum recomputed over
 * the file with its own digits as zeros, so that a test can make a well-formed file that differs
 * in one chosen way.
 */
final class Checkpoints {
    private Checkpoints() {}

    static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    static String header(byte[] file) {
        return new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8);
    }

    /** The file with its header replaced by {@code header} (re-padded to 8 bytes) and the same data. */
    static byte[] withHeader(byte[] file, String header) {
        byte[] json = header.stripTrailing().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        int dataStart = 8 + (int) headerLength(file);
        ByteBuffer out = ByteBuffer.allocate(8 + padded + file.length - dataStart).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put(file, dataStart, file.length - dataStart);
        return out.array();
    }

    /** The file with its crc32c checksum recomputed, as a forger (or a buggy writer) would. */
    static byte[] restamped(byte[] file) {
        return restamped(file, "crc32c", new CRC32C());
    }

    /** The file with its {@code algorithm} checksum (the header must already name it) recomputed with {@code crc}. */
    static byte[] restamped(byte[] file, String algorithm, Checksum crc) {
        String header = header(file);
        int at = header.indexOf("\"" + algorithm + ":") + algorithm.length() + 2;
        byte[] out = file.clone();
        for (int i = 0; i < 8; i++) {
            out[8 + at + i] = '0';
        }
        crc.update(out, 0, out.length);
        byte[] digits = HexFormat.of().toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, out, 8 + at, 8);
        return out;
    }
}
