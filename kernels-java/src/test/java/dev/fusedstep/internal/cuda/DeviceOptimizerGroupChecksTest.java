package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Buffer overlap is found from device addresses alone (never dereferenced), so this runs without a GPU. */
class DeviceOptimizerGroupChecksTest {

    private static MemorySegment at(long address) {
        return MemorySegment.ofAddress(address);
    }

    @Test
    void separateBuffersPass() {
        DeviceOptimizerGroup.requireNoOverlap(List.of(
                new MemorySegment[] {at(0x1000), at(0x2000), at(0x3000)},
                new MemorySegment[] {at(0x1400), at(0x2400), at(0x3400)}), new long[] {256, 256});
    }

    @Test
    void aStateInsideAnotherTensorsParamIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.requireNoOverlap(
                List.of(new MemorySegment[] {at(0x1000), at(0x9000), at(0xA000)},
                        new MemorySegment[] {at(0xB000), at(0xC000), at(0x1800)}), new long[] {1024, 16}));
        assertEquals("states[1][0]: overlaps params[0] in device memory, expected separate buffers", e.getMessage());
    }

    @Test
    void gradAliasingItsParamIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.requireNoOverlap(
                List.<MemorySegment[]>of(new MemorySegment[] {at(0x1000), at(0x1000)}), new long[] {4}));
        assertEquals("grads[0]: overlaps params[0] in device memory, expected separate buffers", e.getMessage());
    }
}
