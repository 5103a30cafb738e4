package dev.fusedstep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripsTensorsAndMetadata() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.of(new float[] {1f, -2f, 3.5f, Float.MIN_VALUE, 0f, -0f}, 2, 3));
        double[] d = {Math.PI, -1e-300};
        tensors.put("d", Tensor.of(MemorySegment.ofArray(d), DType.F64, 2));
        tensors.put("h", Tensor.of(MemorySegment.ofArray(new short[] {0x3c00, (short) 0xc000, 0x7bff}), DType.F16, 3));
        tensors.put("b", Tensor.of(MemorySegment.ofArray(new short[] {0x3f80}), DType.BF16, 1));
        tensors.put("empty", Tensor.of(new float[0], 0));
        Path f = tmp.resolve("t.safetensors");
        SafeTensors.write(f, tensors, Map.of("k", "v \"quoted\""));

        try (SafeTensors st = SafeTensors.open(f)) {
            assertEquals(List.of("w", "d", "h", "b", "empty"), st.names());
            assertEquals(Map.of("k", "v \"quoted\""), st.metadata());
            assertEquals(DType.F32, st.dtype("w"));
            assertArrayEquals(new long[] {2, 3}, st.shape("w"));
            Tensor w = st.tensor("w");
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertArrayEquals(tensors.get("w").toFloatArray(), w.toFloatArray());
            assertTrue(w.segment().isReadOnly(), "views of a mapped file are read-only");
            assertArrayEquals(d, st.toDoubleArray("d"));
            assertArrayEquals(new double[] {1.0, -2.0, 65504.0}, st.toDoubleArray("h"));
            assertArrayEquals(new double[] {1.0}, st.toDoubleArray("b"));
            assertEquals(0, st.tensor("empty").numel());
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> st.tensor("nope"));
            assertTrue(ex.getMessage().contains("nope"), ex.getMessage());
        }
        // the header is padded to a multiple of 8 so the data starts aligned
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
    }

    @Test
    void writesNativeTensors() throws IOException {
        Path f = tmp.resolve("n.safetensors");
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, DType.F32, 3);
            t.copyFrom(new float[] {4f, 5f, 6f});
            SafeTensors.write(f, Map.of("n", t), Map.of());
        }
        try (SafeTensors st = SafeTensors.open(f)) {
            assertArrayEquals(new float[] {4f, 5f, 6f}, st.tensor("n").toFloatArray());
            assertEquals(Map.of(), st.metadata());
        }
    }

    @Test
    void viewsStopWorkingAfterClose() throws IOException {
        Path f = tmp.resolve("c.safetensors");
        SafeTensors.write(f, Map.of("x", Tensor.of(new float[] {1, 2})), null);
        Tensor x;
        try (SafeTensors st = SafeTensors.open(f)) {
            x = st.tensor("x");
            assertEquals(2f, x.getFloat(1));
        }
        assertThrows(IllegalStateException.class, () -> x.getFloat(0));
    }

    @Test
    void readsTheGoldenFiles() throws Exception {
        Path adamw = golden("adamw.safetensors");
        try (SafeTensors st = SafeTensors.open(adamw)) {
            assertEquals("AdamW", st.metadata().get("optimizer"));
            assertEquals(DType.F32, st.dtype("param0"));
            assertEquals(DType.F64, st.dtype("param64_8"));
            assertArrayEquals(new long[] {1037}, st.shape("param0"));
            assertTrue(st.names().contains("state64_exp_avg_sq"));
            // float32 PyTorch and float64 truth agree to float32 precision
            double[] p32 = st.toDoubleArray("param32_8");
            double[] p64 = st.toDoubleArray("param64_8");
            for (int i = 0; i < p32.length; i++) {
                assertEquals(p64[i], p32[i], 1e-5 + 1e-5 * Math.abs(p64[i]));
            }
        }
    }

    @Test
    void rejectsAShortFile() throws IOException {
        assertFormatError(write("short", new byte[] {1, 2, 3}), "at least 8");
    }

    @Test
    void rejectsAnAbsurdHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        assertFormatError(write("len", b.array()), "header length");
    }

    @Test
    void rejectsInvalidJson() throws IOException {
        assertFormatError(file("{\"a\": {\"dtype\": \"F32\",}", 0), "not valid JSON");
    }

    @Test
    void rejectsANonObjectHeader() throws IOException {
        assertFormatError(file("[1, 2]", 0), "expected '{'");
    }

    @Test
    void rejectsAnUnknownDtype() throws IOException {
        assertFormatError(file("{\"x\": {\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8),
                "'x'", "I64", "not supported");
    }

    @Test
    void rejectsASizeThatDoesNotMatchTheShape() throws IOException {
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8),
                "'x'", "expected 12");
    }

    @Test
    void rejectsOffsetsPastTheEnd() throws IOException {
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8),
                "'x'", "data_offsets");
    }

    @Test
    void rejectsOverlap() throws IOException {
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"y\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "'y'", "overlaps");
    }

    @Test
    void rejectsAGap() throws IOException {
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8),
                "'x'", "gap");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 8),
                "cover 4 bytes of a 8-byte");
    }

    @Test
    void rejectsMissingOrMistypedFields() throws IOException {
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4), "'x'", "shape is missing");
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4), "shape[0]");
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4), "data_offsets");
        assertFormatError(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], \"z\": 1}}", 4),
                "unknown field 'z'");
        assertFormatError(file("{\"__metadata__\": {\"a\": 1}}", 0), "__metadata__", "expected a string");
    }

    @Test
    void refusesToWriteReservedOrNullNames() {
        Path f = tmp.resolve("w.safetensors");
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(f, Map.of("__metadata__", Tensor.of(new float[1])), null));
    }

    @Test
    void missingFileIsAnIOException() {
        assertThrows(IOException.class, () -> SafeTensors.open(tmp.resolve("absent.safetensors")));
    }

    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return write("f" + header.hashCode(), b.array());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = tmp.resolve(name + ".safetensors");
        Files.write(f, bytes);
        return f;
    }

    private static void assertFormatError(Path f, String... fragments) {
        SafeTensorsFormatException ex = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.open(f).close());
        assertTrue(ex.getMessage().contains(f.toString()), "message names the file: " + ex.getMessage());
        for (String frag : fragments) {
            assertTrue(ex.getMessage().contains(frag), "message contains '" + frag + "': " + ex.getMessage());
        }
    }

    private static Path golden(String name) throws URISyntaxException {
        return Path.of(SafeTensorsTest.class.getResource("/golden/" + name).toURI());
    }
}
