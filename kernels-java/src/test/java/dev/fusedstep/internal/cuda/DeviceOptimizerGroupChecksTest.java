package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fusedstep.internal.cuda.DeviceOptimizerGroup.DeviceBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Buffer overlap is found from device addresses alone (never dereferenced), so this runs without a GPU. */
class DeviceOptimizerGroupChecksTest {

    @Test
    void separateBuffersPass() {
        DeviceOptimizerGroup.requireNoOverlap(List.of(
                new DeviceBuffer("rows[0].param", 0x1000, 1024), new DeviceBuffer("rows[0].grad", 0x2000, 1024),
                new DeviceBuffer("rows[0].states[0]", 0x3000, 1024), new DeviceBuffer("rows[1].param", 0x1400, 1024),
                new DeviceBuffer("rows[1].grad", 0x2400, 1024), new DeviceBuffer("rows[1].states[0]", 0x3400, 1024)));
    }

    @Test
    void aStateInsideAnotherTensorsParamIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.requireNoOverlap(
                List.of(new DeviceBuffer("rows[0].param", 0x1000, 4096), new DeviceBuffer("rows[0].grad", 0x9000, 4096),
                        new DeviceBuffer("rows[1].states[0]", 0x1800, 64))));
        assertEquals("rows[1].states[0]: overlaps rows[0].param in device memory, expected separate buffers", e.getMessage());
    }

    @Test
    void aHalfParamEndsWhereItsTwoByteElementsEnd() {
        // 1000 BF16 elements end at 0x1000 + 2000 bytes: a master right after them passes, one byte earlier does not
        DeviceOptimizerGroup.requireNoOverlap(List.of(new DeviceBuffer("rows[0].param", 0x1000, 2000),
                new DeviceBuffer("rows[0].master", 0x1000 + 2000, 4000)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.requireNoOverlap(
                List.of(new DeviceBuffer("rows[0].param", 0x1000, 2000),
                        new DeviceBuffer("rows[0].master", 0x1000 + 1999, 4000))));
        assertEquals("rows[0].master: overlaps rows[0].param in device memory, expected separate buffers", e.getMessage());
    }

    @Test
    void gradAliasingItsParamIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.requireNoOverlap(
                List.of(new DeviceBuffer("rows[0].param", 0x1000, 16), new DeviceBuffer("rows[0].grad", 0x1000, 16))));
        assertEquals("rows[0].grad: overlaps rows[0].param in device memory, expected separate buffers", e.getMessage());
    }
}
