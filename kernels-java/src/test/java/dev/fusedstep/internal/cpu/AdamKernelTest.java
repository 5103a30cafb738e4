package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import org.junit.jupiter.api.Test;

/** Adam and AdamW: vector loop against scalar loop, every layout, random hyperparameters. */
class AdamKernelTest {

    @Test
    void vectorLoopMatchesScalarLoopBitForBit() {
        LoopParityHarness.assertVectorMatchesScalar(rnd -> {
            double lr = Math.pow(10, -1 - rnd.nextInt(3)), wd = rnd.nextBoolean() ? 0 : 1e-2;
            double beta1 = rnd.nextBoolean() ? 0.9 : 0.5, beta2 = rnd.nextBoolean() ? 0.999 : 0.95;
            boolean amsgrad = rnd.nextBoolean(), maximize = rnd.nextBoolean();
            return rnd.nextBoolean()
                    ? new AdamKernel(new Adam(lr, beta1, beta2, 1e-8, wd, amsgrad, maximize))
                    : new AdamKernel(new AdamW(lr, beta1, beta2, 1e-8, wd, amsgrad, maximize));
        }, 11);
    }

    @Test
    void bf16StatesLoopMatchesScalarLoop() {
        // the loop for float32 parameters with BF16 states (vectorFused), every case; amsgrad stays staged
        LoopParityHarness.assertVectorMatchesScalar(rnd -> {
            double wd = rnd.nextBoolean() ? 0 : 1e-2;
            boolean maximize = rnd.nextBoolean();
            return rnd.nextBoolean()
                    ? new AdamKernel(new Adam(1e-2, 0.9, 0.999, 1e-8, wd, false, maximize))
                    : new AdamKernel(new AdamW(1e-2, 0.9, 0.999, 1e-8, wd, false, maximize));
        }, 0xB16_5AL, LoopParityHarness.Layout.BF16_STATES);
    }
}
