package dev.fusedstep.cast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.UnreadDeviceTensors;
import dev.fusedstep.DeviceArena;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Casts on CUDA tensors check their arguments before CUDA is touched: these run without a GPU (the
 * device addresses are never read, and no kernel is launched).
 */
class CastsOnDeviceChecksTest {

    private static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void cpuAndCudaOrTwoDevicesAreRejectedNamingTheArgument() {
        Tensor host = Tensor.of(new float[4]);
        Tensor cuda0 = UnreadDeviceTensors.on(0, DType.F16, 4), cuda1 = UnreadDeviceTensors.on(1, DType.F16, 4);
        assertEquals("dst: got a tensor on cuda:0, expected cpu like src (every tensor of one call on one device;"
                + " DeviceArena.copy moves tensors)", message(() -> Casts.convert(host, cuda0)));
        assertTrue(message(() -> Casts.convert(cuda0, host)).startsWith("dst: got a tensor on cpu, expected cuda:0 like src"));
        assertTrue(message(() -> Casts.convert(cuda0, cuda1))
                .startsWith("dst: got a tensor on cuda:1, expected cuda:0 like src"));
    }

    @Test
    void badDeviceArgumentsAreNamedBeforeAnyLaunch() {
        Tensor src = UnreadDeviceTensors.on(0, DType.F32, 4);
        assertEquals("src: got null, expected a tensor", message(() -> Casts.convert(null, src)));
        assertEquals("dst: got null, expected a tensor", message(() -> Casts.convert(src, null)));
        assertEquals("dst: got 5 elements, expected 4 (the length of src)",
                message(() -> Casts.convert(src, UnreadDeviceTensors.on(0, DType.F16, 5))));
        assertEquals("src: got dtype F64, expected F32, BF16 or F16",
                message(() -> Casts.convert(UnreadDeviceTensors.on(0, DType.F64, 4), UnreadDeviceTensors.on(0, DType.F16, 4))));
        Tensor bf16 = UnreadDeviceTensors.on(0, DType.BF16, 4);
        Tensor readOnly = Tensor.of(bf16.segment().asReadOnly(), DType.BF16, Device.cuda(0), 4);
        assertEquals("dst: got a read-only segment, expected a writable one", message(() -> Casts.convert(src, readOnly)));
        Tensor overlapping = Tensor.of(src.segment().asSlice(4, 8), DType.F16, Device.cuda(0), 4);
        assertEquals("dst: overlaps src in memory, expected separate buffers", message(() -> Casts.convert(src, overlapping)));
    }

    @Test
    void toChecksWhereTheResultGoes() {
        Tensor cuda = UnreadDeviceTensors.on(0, DType.F32, 4);
        try (Arena arena = Arena.ofConfined(); DeviceArena device0 = new DeviceArena(0)) {
            assertEquals("src: got a tensor on cuda:0, expected cpu for a host Arena (pass a DeviceArena to cast on cuda:0)",
                    message(() -> Casts.to(cuda, DType.F16, arena)));
            assertEquals("src: got a tensor on cpu, expected a tensor on cuda:0 (the arena's device)",
                    message(() -> Casts.to(Tensor.of(new float[4]), DType.F16, device0)));
            assertEquals("src: got a tensor on cuda:1, expected a tensor on cuda:0 (the arena's device)",
                    message(() -> Casts.to(UnreadDeviceTensors.on(1, DType.F32, 4), DType.F16, device0)));
            assertEquals("dst: got dtype F64, expected F32, BF16 or F16", message(() -> Casts.to(cuda, DType.F64, device0)));
            assertEquals("arena: got null, expected a DeviceArena", message(() -> Casts.to(cuda, DType.F16, (DeviceArena) null)));
        }
    }

    @Test
    void zeroElementsNeedNoDevice() {
        Casts.convert(UnreadDeviceTensors.on(0, DType.F32, 0), UnreadDeviceTensors.on(0, DType.BF16, 0));
        Casts.convert(UnreadDeviceTensors.on(0, DType.F16, 0), UnreadDeviceTensors.on(0, DType.BF16, 0));
    }
}
