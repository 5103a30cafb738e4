package dev.fusedstep.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.UnreadDeviceTensors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * GradClipping on CUDA gradients checks its arguments before CUDA is touched: these run without a
 * GPU (the device addresses are never read, and no kernel is launched).
 */
class ClippingOnDeviceChecksTest {

    private static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void cpuAndCudaOrTwoDevicesAreRejectedNamingTheGradient() {
        Tensor a = UnreadDeviceTensors.on(0, DType.F32, 4), b = UnreadDeviceTensors.on(0, DType.BF16, 4);
        List<Tensor> mixed = List.of(a, b, Tensor.of(new float[3]));
        String expected = "grads[2]: got a tensor on cpu, expected cuda:0 like grads[0] (every tensor of one call on one"
                + " device; DeviceArena.copy moves tensors)";
        assertEquals(expected, message(() -> GradClipping.totalNorm(mixed, 2)));
        assertEquals(expected, message(() -> GradClipping.clipGradNorm(mixed, 1, 2)));
        assertEquals(expected, message(() -> GradClipping.clipGradValue(mixed, 1)));
        List<Tensor> twoDevices = List.of(a, UnreadDeviceTensors.on(1, DType.F16, 4));
        assertTrue(message(() -> GradClipping.totalNorm(twoDevices, 2)).startsWith(
                "grads[1]: got a tensor on cuda:1, expected cuda:0 like grads[0]"));
        List<Tensor> hostFirst = List.of(Tensor.of(new float[3]), a);
        assertTrue(message(() -> GradClipping.clipGradNorm(hostFirst, 1, 2)).startsWith(
                "grads[1]: got a tensor on cuda:0, expected cpu like grads[0]"));
    }

    @Test
    void badGradientsAndParametersAreNamedBeforeAnyLaunch() {
        Tensor a = UnreadDeviceTensors.on(0, DType.F32, 4);
        assertEquals("grads[1]: got null, expected a tensor", message(() -> GradClipping.totalNorm(Arrays.asList(a, null), 2)));
        assertEquals("grads[1]: got dtype F64, expected one of [F32, BF16, F16]",
                message(() -> GradClipping.totalNorm(List.of(a, UnreadDeviceTensors.on(0, DType.F64, 2)), 2)));
        assertTrue(message(() -> GradClipping.totalNorm(List.of(a), 0)).startsWith("norm_type: got 0.0"));
        assertTrue(message(() -> GradClipping.clipGradNorm(List.of(a), 0, 2)).startsWith("max_norm: got 0.0"));
        assertTrue(message(() -> GradClipping.clipGradNorm(List.of(a), 1, -1)).startsWith("norm_type: got -1.0"));
        assertTrue(message(() -> GradClipping.clipGradValue(List.of(a), -1)).startsWith("clip_value: got -1.0"));
        Tensor readOnly = Tensor.of(a.segment().asReadOnly(), DType.F32, Device.cuda(0), 4);
        assertEquals("grads[0]: got a read-only segment, expected a writable one",
                message(() -> GradClipping.clipGradValue(List.of(readOnly), 1)));
        Tensor overlapping = Tensor.of(a.segment().asSlice(8, 8), DType.F16, Device.cuda(0), 4);
        assertEquals("grads[1]: overlaps grads[0] in memory, expected separate buffers",
                message(() -> GradClipping.clipGradNorm(List.of(a, overlapping), 1, 2)));
    }

    @Test
    void zeroElementsNeedNoDevice() {
        List<Tensor> empty = List.of(UnreadDeviceTensors.on(0, DType.F32, 0), UnreadDeviceTensors.on(0, DType.F16, 0));
        assertEquals(0.0, GradClipping.totalNorm(empty, 2));
        assertEquals(0.0, GradClipping.totalNorm(empty, GradClipping.INF));
        assertEquals(0.0, GradClipping.clipGradNorm(empty, 1, 3));
        GradClipping.clipGradValue(empty, 1);
    }
}
