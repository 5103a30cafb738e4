package dev.fusedstep.internal.cuda;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.cpu.OptimizerKernel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Java mirror of common.cuh's structs and constants must match the C side byte for byte. */
class DeviceLayoutsTest {

    @Test
    void tableRowIs80Bytes() {
        assertEquals(80, DeviceLayouts.TENSOR_ROW.byteSize());
        assertEquals(0, DeviceLayouts.TENSOR_ROW.byteSize() % 16, "rows stay 16-byte aligned");
        assertEquals(DeviceLayouts.ROW_NUMEL, DeviceLayouts.TENSOR_ROW.byteOffset(groupElement("numel")));
        assertEquals(DeviceLayouts.ROW_FIRST_CHUNK, DeviceLayouts.TENSOR_ROW.byteOffset(groupElement("first_chunk")));
        assertEquals(DeviceLayouts.ROW_DTYPE, DeviceLayouts.TENSOR_ROW.byteOffset(groupElement("dtype")));
        assertEquals(DeviceLayouts.ROW_INDEX, DeviceLayouts.TENSOR_ROW.byteOffset(groupElement("index")));
        assertEquals(DeviceLayouts.ROW_STATE_DTYPE, DeviceLayouts.TENSOR_ROW.byteOffset(groupElement("state_dtype")));
    }

    @Test
    void rowDtypeCodesAreTheDTypeOrdinals() {
        // common.cuh: FS_F32 0, FS_F16 1, FS_BF16 2.
        assertEquals(0, dev.fusedstep.DType.F32.ordinal());
        assertEquals(1, dev.fusedstep.DType.F16.ordinal());
        assertEquals(2, dev.fusedstep.DType.BF16.ordinal());
    }

    @Test
    void groupBlockMatchesTheStaticAsserts() {
        assertEquals(144, DeviceLayouts.GROUP.byteSize());
        assertEquals(DeviceLayouts.GROUP_LR, DeviceLayouts.GROUP.byteOffset(groupElement("lr")));
        assertEquals(DeviceLayouts.GROUP_HYPER, DeviceLayouts.GROUP.byteOffset(groupElement("hyper")));
        assertEquals(DeviceLayouts.GROUP_STEP, DeviceLayouts.GROUP.byteOffset(groupElement("step")));
        assertEquals(DeviceLayouts.GROUP_MU_PRODUCT, DeviceLayouts.GROUP.byteOffset(groupElement("mu_product")));
        assertEquals(DeviceLayouts.GROUP_FLAGS, DeviceLayouts.GROUP.byteOffset(groupElement("flags")));
        assertEquals(DeviceLayouts.GROUP_SCALARS, DeviceLayouts.GROUP.byteOffset(groupElement("scalars")));
        assertEquals(DeviceLayouts.GROUP_SEED, DeviceLayouts.GROUP.byteOffset(groupElement("seed")));
    }

    @Test
    void chunkAndSlotsMatchTheCpu() {
        assertEquals(CpuBackend.CHUNK, DeviceLayouts.CHUNK);
        assertEquals(OptimizerKernel.SCALAR_SLOTS, DeviceLayouts.SCALAR_SLOTS);
        assertEquals(0, DeviceLayouts.chunks(0));
        assertEquals(1, DeviceLayouts.chunks(1));
        assertEquals(2, DeviceLayouts.chunks(DeviceLayouts.CHUNK + 1));
    }

    /** Every #define the Java side mirrors, read from common.cuh itself. */
    @Test
    void definesInCommonCuhMatch() {
        Optional<Path> dir = NativeSources.dir();
        assumeTrue(dir.isPresent(), "native/src/main/cuda not found from " + System.getProperty("user.dir"));
        String h = NativeSources.read(dir.get(), "common.cuh");
        assertEquals(DeviceLayouts.CHUNK, define(h, "FS_CHUNK"));
        assertEquals(DeviceLayouts.SCALAR_SLOTS, define(h, "FS_SCALAR_SLOTS"));
        assertEquals(DeviceLayouts.FLAG_MAXIMIZE, define(h, "FS_MAXIMIZE"));
        assertEquals(DeviceLayouts.FLAG_L2, define(h, "FS_L2"));
        assertEquals(DeviceLayouts.FLAG_DECOUPLED, define(h, "FS_DECOUPLED"));
        assertEquals(DeviceLayouts.FLAG_AMSGRAD, define(h, "FS_AMSGRAD"));
        assertEquals(DeviceLayouts.FLAG_NESTEROV, define(h, "FS_NESTEROV"));
        assertEquals(DeviceLayouts.FLAG_MOMENTUM, define(h, "FS_MOMENTUM"));
        assertEquals(DeviceLayouts.FLAG_CENTERED, define(h, "FS_CENTERED"));
        assertEquals(DeviceLayouts.FLAG_LERP_SMALL, define(h, "FS_LERP_SMALL"));
        assertEquals(DeviceLayouts.FLAG_STOCHASTIC, define(h, "FS_STOCHASTIC"));
        assertEquals(DeviceLayouts.ROW_MASTER_SLOT, define(h, "FS_MASTER_SLOT"));
        assertTrue(h.contains("sizeof(fs_tensor) == 80"), "fs_tensor size assert");
        assertTrue(h.contains("offsetof(fs_tensor, numel) == " + DeviceLayouts.ROW_NUMEL), "fs_tensor.numel assert");
        assertTrue(h.contains("offsetof(fs_tensor, dtype) == " + DeviceLayouts.ROW_DTYPE), "fs_tensor.dtype assert");
        assertTrue(h.contains("offsetof(fs_tensor, state_dtype) == " + DeviceLayouts.ROW_STATE_DTYPE),
                "fs_tensor.state_dtype assert");
        assertTrue(h.contains("sizeof(fs_group) == 144"), "fs_group size assert");
        assertTrue(h.contains("offsetof(fs_group, seed) == " + DeviceLayouts.GROUP_SEED), "fs_group.seed assert");
        String norm = NativeSources.read(dir.get(), "tensor/norm.cu");
        assertTrue(norm.contains("NORM_THREADS = " + DeviceLayouts.BLOCK_THREADS), "norm kernels' block size");
        assertTrue(norm.contains("NORM_L2 = 0, NORM_INF = 1, NORM_L1 = 2, NORM_P = 3"), "norm kinds");
    }

    private static int define(String header, String name) {
        Matcher m = Pattern.compile("#define " + name + "\\s+(\\d+)").matcher(header);
        assertTrue(m.find(), name + " not defined in common.cuh");
        return Integer.parseInt(m.group(1));
    }
}
