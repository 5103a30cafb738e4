package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The BF16 master-weight layout for every rule: each float32 loop, run as the one-pass master
 * loop ({@link OptimizerKernel#vectorFused}), against the scalar loop, bit for bit. The rules'
 * own tests draw this layout for one case in eight; here every case has it.
 */
class Bf16MasterLoopTest {

    private static void check(Function<Random, OptimizerKernel> newKernel, long seed) {
        LoopParityHarness.assertVectorMatchesScalar(newKernel, seed, LoopParityHarness.Layout.BF16_MASTER);
    }

    @Test
    void sgd() {
        check(rnd -> new SgdKernel(SgdKernelTest.randomRule(rnd)), 0xB16_01L);
    }

    @Test
    void adagrad() {
        check(rnd -> new AdagradKernel(AdagradKernelTest.randomRule(rnd)), 0xB16_02L);
    }

    @Test
    void rmsprop() {
        check(rnd -> new RmspropKernel(RmspropKernelTest.randomRule(rnd)), 0xB16_03L);
    }

    @Test
    void adamAndAdamW() {
        check(rnd -> {
            double wd = rnd.nextBoolean() ? 0 : 1e-2;
            boolean amsgrad = rnd.nextBoolean(), maximize = rnd.nextBoolean();
            return rnd.nextBoolean()
                    ? new AdamKernel(new Adam(1e-2, 0.9, 0.999, 1e-8, wd, amsgrad, maximize))
                    : new AdamKernel(new AdamW(1e-2, 0.9, 0.999, 1e-8, wd, amsgrad, maximize));
        }, 0xB16_04L);
    }

    @Test
    void adamax() {
        check(rnd -> new AdamaxKernel(AdamaxKernelTest.randomRule(rnd)), 0xB16_05L);
    }

    @Test
    void adadelta() {
        check(rnd -> new AdadeltaKernel(AdadeltaKernelTest.randomRule(rnd)), 0xB16_06L);
    }

    @Test
    void nadam() {
        check(rnd -> new NadamKernel(NadamKernelTest.randomRule(rnd)), 0xB16_07L);
    }

    @Test
    void radam() {
        check(rnd -> new RadamKernel(RadamKernelTest.randomRule(rnd)), 0xB16_08L);
    }
}
