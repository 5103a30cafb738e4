package dev.fusedstep.io;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A <a href="https://huggingface.co/docs/safetensors">safetensors</a> file, memory-mapped
 * read-only: {@link #tensor(String)} returns zero-copy views into the mapping, valid until
 * {@link #close()} unmaps it.
 *
 * <p>The format: 8 bytes little-endian header length N, N bytes of UTF-8 JSON (tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}}, plus an optional
 * {@code "__metadata__"} string-to-string map), then the tensors' raw little-endian bytes, with
 * offsets relative to the end of the header. {@link #open(Path)} checks all of it before
 * returning: the header length, the JSON, every entry's fields, that the dtype is one
 * fusedstep knows, that each byte range matches its shape, and that the ranges tile the data
 * region exactly (contiguous, no overlap, no gap, nothing left over).
 */
public final class SafeTensors implements AutoCloseable {

    /** Header size limit, as in the reference implementation (100 MB): larger is a corrupt length, not a header. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path path, Arena arena, MemorySegment file, MemorySegment data, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Maps {@code path} read-only and validates its header.
     *
     * @throws SafeTensorsFormatException if the file is not valid safetensors (the message says why)
     * @throws IOException if it cannot be read
     */
    public static SafeTensors open(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path: got null, expected a safetensors file");
        }
        // Shared: the views are read by optimizer worker threads, not only by the opening thread.
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafeTensorsFormatException(path + ": file has " + size
                        + " bytes, expected at least 8 (the header length)");
            }
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new SafeTensorsFormatException(path + ": header length is " + Long.toUnsignedString(headerLen)
                        + ", expected 2.." + Math.min(MAX_HEADER_BYTES, size - 8) + " for a file of " + size + " bytes");
            }
            Map<String, Object> header = parseHeader(path, file.asSlice(8, headerLen));
            MemorySegment data = file.asSlice(8 + headerLen);
            Map<String, String> metadata = Map.of();
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : header.entrySet()) {
                if (e.getKey().equals(METADATA_KEY)) {
                    metadata = metadata(path, e.getValue());
                } else {
                    entries.put(e.getKey(), entry(path, e.getKey(), e.getValue(), data.byteSize()));
                }
            }
            checkTiling(path, entries.values(), data.byteSize());
            return new SafeTensors(path, arena, file, data, Collections.unmodifiableMap(entries), metadata);
        } catch (IOException | RuntimeException | Error ex) {
            arena.close();
            throw ex;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /**
     * The whole file as mapped, read-only: the length, the header and the data region, valid
     * until {@link #close()}. What a checksum over the file reads.
     */
    public MemorySegment bytes() {
        return file;
    }

    /** Where the data region starts in the file: 8 plus the header's length. */
    public long dataStart() {
        return file.byteSize() - data.byteSize();
    }

    /** Tensor {@code name}'s {@code data_offsets}: its first and one-past-last byte in the data region. */
    public long[] dataOffsets(String name) {
        Entry e = entry(name);
        return new long[] {e.begin(), e.end()};
    }

    /** Tensor names in header order (metadata excluded). */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    /** Whether the file holds a tensor named {@code name}. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The {@code __metadata__} map (empty if the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The dtype of tensor {@code name}. */
    public DType dtype(String name) {
        return entry(name).dtype();
    }

    /** A copy of the shape of tensor {@code name} ({@code []} for a scalar). */
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    /**
     * A read-only, zero-copy view of tensor {@code name}, valid until this file is closed. A
     * scalar (shape {@code []}) comes back with shape {@code [1]}.
     */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        MemorySegment slice = data.asSlice(e.begin(), e.end() - e.begin());
        return e.shape().length == 0 ? Tensor.of(slice, e.dtype(), 1) : Tensor.of(slice, e.dtype(), e.shape());
    }

    /** Tensor {@code name}'s elements widened to double: F64 and F32 exactly, F16 and BF16 by their exact float value. */
    public double[] toDoubleArray(String name) {
        Entry e = entry(name);
        long numel = (e.end() - e.begin()) / e.dtype().byteSize();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' has " + numel + " elements, more than a Java array holds");
        }
        MemorySegment s = data.asSlice(e.begin(), e.end() - e.begin());
        double[] out = new double[(int) numel];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (e.dtype()) {
                case F64 -> s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
                case F32 -> s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                case F16 -> Float.float16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
                case BF16 -> Float.intBitsToFloat((s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xffff) << 16);
            };
        }
        return out;
    }

    /** Unmaps the file; tensors viewed from it may no longer be used. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("name: got \"" + name + "\", expected a tensor of " + path
                    + " (" + entries.size() + " tensors: " + abbreviated(entries.keySet()) + ")");
        }
        return e;
    }

    private static String abbreviated(Set<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 12 ? l.toString() : l.subList(0, 12) + " and " + (l.size() - 12) + " more";
    }

    // ---------------------------------------------------------------- validation

    private static Map<String, Object> parseHeader(Path path, MemorySegment bytes) throws SafeTensorsFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.asByteBuffer())
                    .toString();
        } catch (CharacterCodingException ex) {
            throw new SafeTensorsFormatException(path + ": header is not valid UTF-8", ex);
        }
        if (!text.startsWith("{")) {
            throw new SafeTensorsFormatException(path + ": header starts with "
                    + (text.isEmpty() ? "nothing" : "'" + text.charAt(0) + "'") + ", expected '{' (a JSON object)");
        }
        try {
            return Json.parseObject(text);
        } catch (JsonException ex) {
            throw new SafeTensorsFormatException(path + ": header is not valid JSON: " + ex.getMessage(), ex);
        }
    }

    private static Map<String, String> metadata(Path path, Object value) throws SafeTensorsFormatException {
        if (!(value instanceof Map<?, ?> m)) {
            throw new SafeTensorsFormatException(path + ": " + METADATA_KEY + " is " + Json.typeName(value)
                    + ", expected an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafeTensorsFormatException(path + ": " + METADATA_KEY + " key '" + e.getKey() + "' is "
                        + Json.typeName(e.getValue()) + ", expected a string");
            }
            out.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(Path path, String name, Object value, long dataBytes) throws SafeTensorsFormatException {
        String where = path + ": tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> m)) {
            throw new SafeTensorsFormatException(where + " is " + Json.typeName(value)
                    + ", expected an object with dtype, shape and data_offsets");
        }
        for (Object key : m.keySet()) {
            if (!ENTRY_FIELDS.contains(key)) {
                throw new SafeTensorsFormatException(where + " has unknown field '" + key
                        + "', expected only dtype, shape and data_offsets");
            }
        }
        if (!(m.get("dtype") instanceof String dtypeName)) {
            throw new SafeTensorsFormatException(where + ": dtype is " + describe(m, "dtype") + ", expected a string");
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensorsName(dtypeName);
        } catch (IllegalArgumentException ex) {
            throw new SafeTensorsFormatException(where + ": dtype \"" + dtypeName
                    + "\" is not supported, expected one of " + Arrays.toString(DType.values()));
        }
        long[] shape = longs(where, "shape", m, -1);
        long[] offsets = longs(where, "data_offsets", m, 2);
        long numel = 1;
        for (long d : shape) {
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException overflow) {
                throw new SafeTensorsFormatException(where + ": shape " + Arrays.toString(shape) + " overflows a long");
            }
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataBytes) {
            throw new SafeTensorsFormatException(where + ": data_offsets " + Arrays.toString(offsets)
                    + " expected 0 <= begin <= end <= " + dataBytes + " (the data region's size)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException overflow) {
            throw new SafeTensorsFormatException(where + ": shape " + Arrays.toString(shape) + " overflows a long");
        }
        if (end - begin != expected) {
            throw new SafeTensorsFormatException(where + ": data_offsets " + Arrays.toString(offsets) + " hold "
                    + (end - begin) + " bytes, expected " + expected + " for " + dtype + " of shape " + Arrays.toString(shape));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static String describe(Map<?, ?> m, String field) {
        return m.containsKey(field) ? Json.typeName(m.get(field)) : "missing";
    }

    /** A JSON array of non-negative integers; {@code length} -1 means any length. */
    private static long[] longs(String where, String field, Map<?, ?> m, int length) throws SafeTensorsFormatException {
        String expected = length < 0 ? "an array of integers >= 0" : "an array of " + length + " integers >= 0";
        if (!(m.get(field) instanceof List<?> list)) {
            throw new SafeTensorsFormatException(where + ": " + field + " is " + describe(m, field) + ", expected " + expected);
        }
        if (length >= 0 && list.size() != length) {
            throw new SafeTensorsFormatException(where + ": " + field + " has " + list.size() + " elements, expected " + expected);
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long v) || v < 0) {
                throw new SafeTensorsFormatException(where + ": " + field + "[" + i + "] is " + list.get(i) + ", expected an integer >= 0");
            }
            out[i] = v;
        }
        return out;
    }

    /** The byte ranges must cover the data region exactly, one after another, as the format requires. */
    private static void checkTiling(Path path, java.util.Collection<Entry> entries, long dataBytes) throws SafeTensorsFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() != next) {
                String what = e.begin() < next ? "overlaps" : "leaves a gap after";
                throw new SafeTensorsFormatException(path + ": tensor '" + e.name() + "' data_offsets ["
                        + e.begin() + ", " + e.end() + "] " + what + " "
                        + (previous == null ? "the start of the data region" : "tensor '" + previous.name() + "' (ending at " + next + ")")
                        + ", expected it to begin at " + next);
            }
            next = e.end();
            previous = e;
        }
        if (next != dataBytes) {
            throw new SafeTensorsFormatException(path + ": tensors cover " + next + " bytes of a " + dataBytes
                    + "-byte data region, expected them to cover it exactly");
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code tensors} (host tensors, in the map's order) and {@code metadata} (may be null)
     * to {@code path} in safetensors format, replacing any file there. The header is padded with
     * spaces to a multiple of 8 bytes so that the data starts aligned.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path: got null, expected a file to write");
        }
        if (tensors == null) {
            throw new IllegalArgumentException("tensors: got null, expected a map of name to tensor");
        }
        List<TensorSpec> specs = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (t == null) {
                throw new IllegalArgumentException("tensors['" + name + "']: got null, expected a tensor");
            }
            if (!t.device().equals(Device.CPU)) {
                throw new IllegalArgumentException("tensors['" + name + "']: got a tensor on " + t.device() + ", expected cpu");
            }
            specs.add(new TensorSpec(name, t.dtype(), t.shape()));
        }
        ByteBuffer head = header(specs, metadata);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head);
            MemorySegment staging = null;
            for (Tensor t : tensors.values()) {
                MemorySegment s = t.segment();
                if (s.isNative()) {
                    // ByteBuffers index with int: write large tensors in slices.
                    for (long at = 0; at < s.byteSize(); at += 1L << 30) {
                        writeFully(ch, s.asSlice(at, Math.min(1L << 30, s.byteSize() - at)).asByteBuffer());
                    }
                    continue;
                }
                // Heap segments over float[], short[]... cannot be viewed as a ByteBuffer: copy through a byte[].
                if (staging == null) {
                    staging = MemorySegment.ofArray(new byte[1 << 20]);
                }
                for (long at = 0; at < s.byteSize(); at += staging.byteSize()) {
                    long len = Math.min(staging.byteSize(), s.byteSize() - at);
                    MemorySegment.copy(s, at, staging, 0, len);
                    writeFully(ch, staging.asSlice(0, len).asByteBuffer());
                }
            }
        }
    }

    /**
     * The bytes that start a safetensors file holding {@code tensors} in this order (their data
     * to follow back to back) and {@code metadata} (may be null or empty): the 8-byte
     * little-endian length, then the JSON header padded with spaces to a multiple of 8 bytes so
     * that the data starts aligned. Returned ready to write (position 0).
     */
    public static ByteBuffer header(List<TensorSpec> tensors, Map<String, String> metadata) {
        if (tensors == null) {
            throw new IllegalArgumentException("tensors: got null, expected a list of tensor specs");
        }
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata: got a null key or value (" + e.getKey() + " = "
                            + e.getValue() + "), expected strings");
                }
                meta.put(e.getKey(), e.getValue());
            }
            header.put(METADATA_KEY, meta);
        }
        long offset = 0;
        for (TensorSpec t : tensors) {
            if (t == null) {
                throw new IllegalArgumentException("tensors: got a null spec, expected name, dtype and shape");
            }
            if (t.name().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("tensors: got the name \"" + METADATA_KEY
                        + "\", expected another name (it is the metadata's key)");
            }
            if (header.containsKey(t.name())) {
                throw new IllegalArgumentException("tensors: got the name \"" + t.name() + "\" twice, expected unique names");
            }
            long bytes = t.byteSize();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype().name());
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(t.name(), info);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        return head.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public String toString() {
        return "SafeTensors[" + path + ", " + entries.size() + " tensors]";
    }
}
