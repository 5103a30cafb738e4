package dev.fusedstep.optim;

import java.util.List;

/**
 * One rule per optimizer and each of its update paths (RMSprop's two lerp branches included), with
 * non-trivial hyperparameters: the list the CPU and the CUDA tests share.
 */
public final class AllRules {
    private AllRules() {}

    public static List<OptimizerRule> everyConfiguration() {
        return List.of(
                new SGD().withLr(0.05),
                new SGD(0.05, 0.9, 0.1, 1e-3, false, false),
                new SGD(0.05, 0.9, 0, 1e-3, true, true),
                new Adagrad(0.1, 0.01, 0.01, 0.1, 1e-10, false),
                new RMSprop().withWeightDecay(1e-3),
                new RMSprop(0.01, 0.9, 1e-8, 1e-3, 0.9, true, true),
                new RMSprop(0.01, 0.1, 1e-8, 0, 0, true, false),
                new RMSprop(0.01, 0.99, 1e-8, 0, 0.5, false, false),
                new Adam().withWeightDecay(1e-2),
                new Adam().withAmsgrad(true).withMaximize(true),
                new AdamW(),
                new AdamW().withAmsgrad(true),
                new Adamax().withWeightDecay(1e-2),
                new NAdam().withWeightDecay(1e-2),
                new NAdam().withWeightDecay(1e-2).withDecoupledWeightDecay(true).withMaximize(true),
                new RAdam().withWeightDecay(1e-2),
                new RAdam().withWeightDecay(1e-2).withDecoupledWeightDecay(true),
                new Adadelta().withWeightDecay(1e-2).withMaximize(true));
    }
}
