package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A group's table in device memory: one {@code fs_tensor} row per tensor (up to six device
 * pointers, the element count, the chunks of all earlier rows, the storage dtypes and the
 * parameter index), so that one launch walks
 * every chunk of every tensor. Built once and reused while the set of tensors is unchanged: a
 * step then passes one pointer, whatever the number of tensors, and a captured graph stays valid.
 *
 * <p>The table holds raw addresses: the tensors must outlive it (same arena, or longer-lived).
 */
public final class TensorTable {

    private final MemorySegment address;
    private final int rows;
    private final long totalChunks;

    private TensorTable(MemorySegment address, int rows, long totalChunks) {
        this.address = address;
        this.rows = rows;
        this.totalChunks = totalChunks;
    }

    /**
     * Builds the table in {@code arena}'s device memory. {@code pointers.get(r)} holds row r's
     * device pointers (at most {@link DeviceLayouts#ROW_POINTERS}, in the kernel's order; the rest are null) and
     * {@code numel[r]} its element count.
     */
    public static TensorTable build(DeviceArena arena, List<MemorySegment[]> pointers, long[] numel) {
        return build(arena, pointers, numel, null, null, null);
    }

    /**
     * As {@link #build(DeviceArena, List, long[])}, with each row's storage dtype ({@code dtypes[r]}),
     * a step row's state storage ({@code stateDtypes[r]}), null for all F32, and parameter index
     * ({@code indices[r]}, null for all 0).
     */
    public static TensorTable build(DeviceArena arena, List<MemorySegment[]> pointers, long[] numel, DType[] dtypes,
            DType[] stateDtypes, int[] indices) {
        long rowBytes = DeviceLayouts.TENSOR_ROW.byteSize();
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment host = staging.allocate(rowBytes * Math.max(1, pointers.size()), 16);
            long chunks = writeRows(host, pointers, numel, dtypes, stateDtypes, indices);
            MemorySegment device = arena.allocateBytes(host.byteSize());
            Cuda.memcpy(device, host, host.byteSize(), CudaRuntime.cudaMemcpyHostToDevice);
            return new TensorTable(device, pointers.size(), chunks);
        }
    }

    /**
     * One row per tensor, its only pointer the tensor's device memory, with the tensor's dtype: the
     * table the norm, scale and clamp kernels walk. The tensors must be on {@code arena}'s device
     * (the caller checks that, naming the argument).
     */
    public static TensorTable of(DeviceArena arena, List<Tensor> tensors) {
        List<MemorySegment[]> pointers = tensors.stream().map(t -> new MemorySegment[] {t.segment()}).toList();
        long[] numel = tensors.stream().mapToLong(Tensor::numel).toArray();
        DType[] dtypes = tensors.stream().map(Tensor::dtype).toArray(DType[]::new);
        return build(arena, pointers, numel, dtypes, null, null);
    }

    /**
     * Writes the rows into {@code host} ({@code pointers.size()} x {@code TENSOR_ROW} bytes) exactly as the kernels
     * read them, and returns the total number of chunks. Host-side only: the host emulation test
     * runs the kernels over such a table in host memory.
     */
    static long writeRows(MemorySegment host, List<MemorySegment[]> pointers, long[] numel) {
        return writeRows(host, pointers, numel, null, null, null);
    }

    /** As {@link #writeRows(MemorySegment, List, long[])}, with dtypes, state dtypes and indices (each may be null). */
    static long writeRows(MemorySegment host, List<MemorySegment[]> pointers, long[] numel, DType[] dtypes,
            DType[] stateDtypes, int[] indices) {
        if (pointers.isEmpty() || pointers.size() != numel.length) {
            throw new IllegalArgumentException("pointers: got " + pointers.size() + " rows for " + numel.length
                    + " element counts, expected the same number, at least one");
        }
        if (dtypes != null && dtypes.length != numel.length) {
            throw new IllegalArgumentException("dtypes: got " + dtypes.length + " entries, expected " + numel.length);
        }
        if (stateDtypes != null && stateDtypes.length != numel.length) {
            throw new IllegalArgumentException("stateDtypes: got " + stateDtypes.length + " entries, expected " + numel.length);
        }
        if (indices != null && indices.length != numel.length) {
            throw new IllegalArgumentException("indices: got " + indices.length + " entries, expected " + numel.length);
        }
        long rowBytes = DeviceLayouts.TENSOR_ROW.byteSize();
        long chunks = 0;
        for (int r = 0; r < pointers.size(); r++) {
            MemorySegment[] row = pointers.get(r);
            if (row.length > DeviceLayouts.ROW_POINTERS) {
                throw new IllegalArgumentException("pointers[" + r + "]: got " + row.length
                        + " pointers, expected at most " + DeviceLayouts.ROW_POINTERS);
            }
            if (numel[r] < 0) {
                throw new IllegalArgumentException("numel[" + r + "]: got " + numel[r] + ", expected >= 0");
            }
            long base = r * rowBytes;
            for (int i = 0; i < DeviceLayouts.ROW_POINTERS; i++) {
                MemorySegment p = i < row.length && row[i] != null ? row[i] : MemorySegment.NULL;
                host.set(ADDRESS, base + i * ADDRESS.byteSize(), p);
            }
            host.set(JAVA_LONG, base + DeviceLayouts.ROW_NUMEL, numel[r]);
            host.set(JAVA_LONG, base + DeviceLayouts.ROW_FIRST_CHUNK, chunks);
            host.set(JAVA_INT, base + DeviceLayouts.ROW_DTYPE, storageCode("dtypes[" + r + "]", dtypes == null ? null : dtypes[r]));
            host.set(JAVA_INT, base + DeviceLayouts.ROW_INDEX, indices == null ? 0 : indices[r]);
            host.set(JAVA_INT, base + DeviceLayouts.ROW_STATE_DTYPE,
                    storageCode("stateDtypes[" + r + "]", stateDtypes == null ? null : stateDtypes[r]));
            chunks += DeviceLayouts.chunks(numel[r]);
        }
        return chunks;
    }

    /** {@code FS_F32/F16/BF16} (the DType ordinal) of a storage dtype; null means F32. */
    private static int storageCode(String name, DType d) {
        if (d == null) {
            return DType.F32.ordinal();
        }
        if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
            throw new IllegalArgumentException(name + ": got " + d + ", expected F32, F16 or BF16");
        }
        return d.ordinal();
    }

    /** The table's device address ({@code const fs_tensor*}). */
    public MemorySegment address() {
        return address;
    }

    public int rows() {
        return rows;
    }

    /** Chunks over all rows: the grid-stride loop's trip count. */
    public long totalChunks() {
        return totalChunks;
    }
}
