package dev.fusedstep.bench;

import dev.fusedstep.optim.Adagrad;
import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.RMSprop;
import dev.fusedstep.optim.SGD;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * One optimizer step as both libraries configure it, with the same hyperparameters wherever the
 * two formulas have the same knob. The formulas are not identical (ND4J's Nesterov momentum and
 * its epsilon placement differ from PyTorch's), but every pair reads and writes the same buffers:
 * the comparison is of the same traffic.
 */
enum PeerRule {
    /** Adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8: reads p, g, m, v; writes p, m, v. */
    ADAM(1e-3),
    /** Adam plus decoupled weight decay 1e-2 (ND4J: its Adam updater plus WeightDecay with lr applied). */
    ADAMW(1e-3),
    /** SGD with Nesterov momentum 0.9, lr 1e-3: reads p, g, buf; writes p, buf. */
    NESTEROVS(1e-3),
    /** RMSprop, lr 1e-3, alpha (ND4J: rmsDecay) 0.99, eps 1e-8: reads p, g, v; writes p, v. */
    RMSPROP(1e-3),
    /** Adagrad, lr 1e-2, eps 1e-10 (PyTorch's defaults): reads p, g, sum; writes p, sum. */
    ADAGRAD(1e-2);

    private final double lr;

    PeerRule(double lr) {
        this.lr = lr;
    }

    double lr() {
        return lr;
    }

    static PeerRule of(String name) {
        for (PeerRule r : values()) {
            if (r.name().equalsIgnoreCase(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("rule: got \"" + name + "\", expected adam, adamw, nesterovs, rmsprop or adagrad");
    }

    OptimizerRule rule() {
        return switch (this) {
            case ADAM -> new Adam().withLr(lr);
            case ADAMW -> new AdamW().withLr(lr).withWeightDecay(1e-2);
            case NESTEROVS -> new SGD().withLr(lr).withMomentum(0.9).withNesterov(true);
            case RMSPROP -> new RMSprop().withLr(lr).withAlpha(0.99).withEps(1e-8);
            case ADAGRAD -> new Adagrad().withLr(lr).withEps(1e-10);
        };
    }

    IUpdater nd4jUpdater() {
        return switch (this) {
            case ADAM, ADAMW -> new org.nd4j.linalg.learning.config.Adam(lr, 0.9, 0.999, 1e-8);
            case NESTEROVS -> new Nesterovs(lr, 0.9);
            case RMSPROP -> new RmsProp(lr, 0.99, 1e-8);
            case ADAGRAD -> new AdaGrad(lr, 1e-10);
        };
    }

    /** ND4J's decoupled weight decay for AdamW, null for the others. */
    WeightDecay nd4jWeightDecay() {
        return this == ADAMW ? new WeightDecay(1e-2, true) : null;
    }
}
