package dev.fusedstep.checkpoint;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.io.SafeTensors;
import dev.fusedstep.io.TensorSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Checksum;

/**
 * Writes a checkpoint file atomically ({@link AtomicFile}): the safetensors header with a
 * placeholder checksum, then every tensor streamed from its own memory in bounded chunks (host
 * memory straight through a {@code ByteBuffer} view, anything else through one small staging
 * buffer), the CRC taken on the way; last, the checksum's digits are written over the
 * placeholder. No copy of the whole state is ever made.
 */
final class CheckpointWriter {
    private CheckpointWriter() {}

    /** Bytes per write: large enough for full disk speed, small enough to stay in cache between CRC and write. */
    static final long CHUNK = 4L << 20;

    /** A tensor to write under {@code spec}; its bytes are {@code source}'s memory (same size). */
    record Item(TensorSpec spec, Tensor source) {}

    static void write(Path path, List<Item> items, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(CheckpointLayout.FORMAT_KEY, CheckpointLayout.FORMAT);
        meta.putAll(metadata);
        meta.put(CheckpointLayout.CHECKSUM_KEY, FileChecksum.PLACEHOLDER);
        List<TensorSpec> specs = new ArrayList<>(items.size());
        for (Item it : items) {
            if (it.spec().byteSize() != it.source().segment().byteSize()) {
                throw new IllegalArgumentException("items: tensor '" + it.spec().name() + "' has "
                        + it.source().segment().byteSize() + " bytes, expected " + it.spec().byteSize());
            }
            if (!it.source().segment().scope().isAlive()) {
                throw new IllegalStateException("items: tensor '" + it.spec().name() + "' is freed, expected live memory");
            }
            HostTransfer.forDevice(it.source().device()); // state no transfer can read is refused before the file is touched
            specs.add(it.spec());
        }
        ByteBuffer headBuffer = SafeTensors.header(specs, meta);
        byte[] head = new byte[headBuffer.remaining()];
        headBuffer.get(head);
        int digitsAt = FileChecksum.digitsAt(head, FileChecksum.PLACEHOLDER);
        if (digitsAt < 0) {
            throw new IllegalArgumentException("metadata: the text \"" + FileChecksum.PLACEHOLDER
                    + "\" occurs more than once in the header, expected it only as the checksum");
        }
        AtomicFile.replace(path, ch -> {
            Checksum crc = FileChecksum.newChecksum(FileChecksum.WRITTEN);
            crc.update(head);
            writeFully(ch, ByteBuffer.wrap(head));
            try (Arena staging = Arena.ofConfined()) {
                MemorySegment chunk = null;
                for (Item it : items) {
                    Tensor t = it.source();
                    MemorySegment s = t.segment();
                    boolean direct = t.device().equals(Device.CPU) && s.isNative();
                    for (long at = 0; at < s.byteSize(); at += CHUNK) {
                        long len = Math.min(CHUNK, s.byteSize() - at);
                        MemorySegment piece;
                        if (direct) {
                            piece = s.asSlice(at, len);
                        } else {
                            // Heap arrays other than byte[] have no ByteBuffer view; device memory needs a copy to the host.
                            if (chunk == null) {
                                chunk = staging.allocate(CHUNK, 64);
                            }
                            piece = chunk.asSlice(0, len);
                            HostTransfer.forDevice(t.device()).toHost(t, at, piece);
                        }
                        crc.update(piece.asByteBuffer());
                        writeFully(ch, piece.asByteBuffer());
                    }
                }
            }
            byte[] digits = HexFormat.of().toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.wrap(digits);
            while (b.hasRemaining()) {
                ch.write(b, digitsAt + b.position());
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
