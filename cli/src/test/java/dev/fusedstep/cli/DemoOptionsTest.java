package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's command line: defaults, every option, and exit code 2 with a clear message for bad ones. */
class DemoOptionsTest {

    private static void refused(String expected, String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "demo";
        System.arraycopy(args, 0, full, 1, args.length);
        MainTest.Result r = MainTest.run(full);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "'" + expected + "' missing from: " + r.err());
        assertFalse(r.out().contains("Linear regression"), "nothing ran: " + r.out());
    }

    @Test
    void defaults() {
        DemoOptions o = DemoOptions.parse(new String[0]);
        assertEquals("auto", o.device());
        assertEquals(DemoOptions.DEFAULT_STEPS, o.steps());
        assertEquals(0, o.seed());
        assertEquals(Path.of("fusedstep-demo-out"), o.out());
        assertEquals(DemoOptimizers.all(), o.optimizers());
        assertFalse(o.check());
    }

    @Test
    void everyOptionInBothSpellings() {
        DemoOptions o = DemoOptions.parse(new String[] {"--device", "CPU", "--steps=7", "--seed", "-3", "--out=x/y",
            "--optimizers", "adamw, SGD,adamw", "--check"});
        assertEquals("cpu", o.device());
        assertEquals(7, o.steps());
        assertEquals(-3, o.seed());
        assertEquals(Path.of("x/y"), o.out());
        assertEquals(List.of("adamw", "sgd"), o.optimizers().stream().map(DemoOptimizers.Entry::name).toList());
        assertTrue(o.check());
    }

    @Test
    void helpPrintsTheOptions() {
        MainTest.Result r = MainTest.run("demo", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--optimizers  comma separated, from: sgd, sgd-momentum,"), r.out());
    }

    @Test
    void unknownOptimizer() {
        refused("--optimizers: got unknown optimizer 'lion', expected a comma separated list of sgd,", "--optimizers", "sgd,lion");
        refused("--optimizers: got unknown optimizer ''", "--optimizers", "");
    }

    @Test
    void badDevice() {
        refused("--device: got 'tpu', expected auto, cpu or cuda", "--device", "tpu");
    }

    @Test
    void stepsMustBePositive() {
        refused("--steps: got '0', expected a whole number >= 1", "--steps", "0");
        refused("--steps: got '-5', expected a whole number >= 1", "--steps", "-5");
        refused("--steps: got 'many', expected a whole number >= 1", "--steps=many");
        refused("--steps: got no value", "--steps");
    }

    @Test
    void unknownArgumentsAndBadSeeds() {
        refused("got unknown argument '--fast'", "--fast");
        refused("--seed: got '1.5', expected a whole number", "--seed", "1.5");
    }

    @Test
    void cudaIsRefusedWithTheReasonWhereNoGpuIsUsable() {
        DeviceChoice.Gpu gpu = DeviceChoice.Gpu.here();
        if (!gpu.usable()) {
            refused("--device cuda: no usable GPU here: " + gpu.reason(), "--device", "cuda");
            refused("--device cuda", "--device", "cuda", "--check");
        }
        assertEquals(null, DeviceChoice.refusal("cuda", new DeviceChoice.Gpu(true, "an H100")));
        assertTrue(DeviceChoice.refusal("cuda", new DeviceChoice.Gpu(false, "no driver")).contains("no usable GPU here: no driver"));
        assertEquals(null, DeviceChoice.refusal("auto", new DeviceChoice.Gpu(false, "no driver")));
        assertEquals(null, DeviceChoice.refusal("cpu", new DeviceChoice.Gpu(false, "no driver")));
    }

    @Test
    void theMlpTrainsOnTheChosenDevicesAndTheLineSaysWhere() {
        DeviceChoice.Gpu none = new DeviceChoice.Gpu(false, "no CUDA driver"), h100 = new DeviceChoice.Gpu(true, "NVIDIA H100");
        assertEquals(List.of(Device.CPU), DeviceChoice.devices("auto", none));
        assertEquals(List.of(Device.CPU, Device.cuda(0)), DeviceChoice.devices("auto", h100));
        assertEquals(List.of(Device.CPU), DeviceChoice.devices("cpu", h100));
        assertEquals(List.of(Device.cuda(0)), DeviceChoice.devices("cuda", h100));
        assertEquals("training on the CPU; GPU not used: no CUDA driver.", DeviceChoice.line("auto", none));
        assertEquals("training on the CPU, and the MLP on the GPU too, cuda:0 (NVIDIA H100).", DeviceChoice.line("auto", h100));
        assertEquals("training the MLP on the GPU, cuda:0 (NVIDIA H100); the linear regression on the CPU.",
                DeviceChoice.line("cuda", h100));
        assertEquals("training on the CPU (--device cpu).", DeviceChoice.line("cpu", h100));
        // here: the reason this machine gives
        DeviceChoice.Gpu here = DeviceChoice.Gpu.here();
        assertTrue(DeviceChoice.line("auto", here).contains(here.reason()), DeviceChoice.line("auto", here));
    }
}
