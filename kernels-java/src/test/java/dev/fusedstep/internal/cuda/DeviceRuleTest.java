package dev.fusedstep.internal.cuda;

import dev.fusedstep.optim.AllRules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.optim.Adagrad;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.RMSprop;
import dev.fusedstep.optim.SGD;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Rules map onto the kernels' constants the way the CPU kernels read them. */
class DeviceRuleTest {

    @Test
    void stateCountsFollowTheRules() {
        for (OptimizerRule rule : AllRules.everyConfiguration()) {
            assertEquals(rule.stateNames().size(), DeviceRule.of(rule).states(), rule.toString());
        }
    }

    @Test
    void flagsAreDecidedAsTheCpuKernelsDecideThem() {
        DeviceRule sgd = DeviceRule.of(new SGD(0.05, 0.9, 0, 1e-3, true, true));
        assertEquals(DeviceLayouts.FLAG_MAXIMIZE | DeviceLayouts.FLAG_L2 | DeviceLayouts.FLAG_NESTEROV
                | DeviceLayouts.FLAG_MOMENTUM, sgd.flags());
        assertEquals(0.9, sgd.hyper()[0]);
        // a decay too small for a float still counts: PyTorch tests the Python float
        assertEquals(DeviceLayouts.FLAG_L2, DeviceRule.of(new SGD().withWeightDecay(1e-50)).flags());
        DeviceRule rms = DeviceRule.of(new RMSprop(0.01, 0.9, 1e-8, 0, 0.9, true, false));
        assertEquals(DeviceLayouts.FLAG_MOMENTUM | DeviceLayouts.FLAG_CENTERED | DeviceLayouts.FLAG_LERP_SMALL, rms.flags());
        assertEquals(0, DeviceRule.of(new RMSprop().withAlpha(0.1)).flags() & DeviceLayouts.FLAG_LERP_SMALL);
        DeviceRule adamw = DeviceRule.of(new AdamW().withAmsgrad(true));
        assertEquals("fs_adam_prepare", adamw.prepareKernel());
        assertEquals(DeviceLayouts.FLAG_DECOUPLED | DeviceLayouts.FLAG_AMSGRAD, adamw.flags());
        DeviceRule adagrad = DeviceRule.of(new Adagrad(0.1, 0.01, 0.01, 0.1, 1e-10, false));
        assertEquals(0.01, adagrad.hyper()[0]);
        assertEquals(1e-10, adagrad.hyper()[2]);
    }

    /** Every kernel a rule names must be defined, extern "C", in the CUDA sources. */
    @Test
    void everyKernelNamedExistsInTheSources() {
        Optional<Path> dir = NativeSources.dir();
        assumeTrue(dir.isPresent(), "native/src/main/cuda not found from " + System.getProperty("user.dir"));
        for (OptimizerRule rule : AllRules.everyConfiguration()) {
            DeviceRule d = DeviceRule.of(rule);
            String src = NativeSources.read(dir.get(), "optim/" + d.kernel() + ".cu");
            assertTrue(src.contains("extern \"C\" __global__ void " + d.prepareKernel() + "("), d.prepareKernel());
            assertTrue(src.contains("extern \"C\" __global__ void " + d.stepKernel() + "("), d.stepKernel());
        }
        String all = NativeSources.read(dir.get(), "fusedstep.cu");
        for (String f : new String[] {"sgd", "adagrad", "rmsprop", "adam", "adamax", "nadam", "radam", "adadelta"}) {
            assertTrue(all.contains("#include \"optim/" + f + ".cu\""), f + " missing from fusedstep.cu");
        }
    }
}
