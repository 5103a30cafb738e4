package dev.fusedstep.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.io.Json;
import org.junit.jupiter.api.Test;

/** {@link PyTorchRules#toPyTorch} is the inverse of {@code fromPyTorch}, through JSON too (what a checkpoint stores). */
class PyTorchRulesExportTest {
    @Test
    void everyRuleComesBackEqual() {
        for (OptimizerRule rule : AllRules.everyConfiguration()) {
            assertEquals(rule, PyTorchRules.fromPyTorch(rule.torchName(), PyTorchRules.toPyTorch(rule)), rule.toString());
            assertEquals(rule, PyTorchRules.fromPyTorch(rule.torchName(), Json.write(PyTorchRules.toPyTorch(rule))), rule.toString());
        }
    }

    @Test
    void namesAreTorchs() {
        assertEquals("{\"lr\":0.001,\"betas\":[0.9,0.999],\"eps\":1.0E-8,\"weight_decay\":0.01,\"amsgrad\":false,\"maximize\":false}",
                Json.write(PyTorchRules.toPyTorch(new AdamW())));
        assertEquals("{\"lr\":0.05,\"momentum\":0.9,\"dampening\":0.0,\"weight_decay\":0.001,\"nesterov\":true,\"maximize\":true}",
                Json.write(PyTorchRules.toPyTorch(new SGD(0.05, 0.9, 0, 1e-3, true, true))));
    }
}
