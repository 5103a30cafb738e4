package dev.fusedstep.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PyTorchRulesTest {

    @Test
    void omittedArgumentsTakePyTorchDefaults() {
        assertEquals(new SGD(), PyTorchRules.fromPyTorch("SGD", Map.of()));
        assertEquals(new Adagrad(), PyTorchRules.fromPyTorch("Adagrad", "{}"));
        assertEquals(new RMSprop(), PyTorchRules.fromPyTorch("RMSprop", (String) null));
        assertEquals(new Adam(), PyTorchRules.fromPyTorch("Adam", "{}"));
        assertEquals(new AdamW(), PyTorchRules.fromPyTorch("AdamW", "{}"));
        assertEquals(new Adamax(), PyTorchRules.fromPyTorch("Adamax", "{}"));
        assertEquals(new NAdam(), PyTorchRules.fromPyTorch("NAdam", "{}"));
        assertEquals(new RAdam(), PyTorchRules.fromPyTorch("RAdam", "{}"));
        assertEquals(new Adadelta(), PyTorchRules.fromPyTorch("Adadelta", "{}"));
    }

    @Test
    void mapsEveryKeywordArgument() {
        assertEquals(new SGD(0.05, 0.9, 0.1, 1e-4, false, true), PyTorchRules.fromPyTorch("SGD",
                "{\"lr\": 0.05, \"momentum\": 0.9, \"dampening\": 0.1, \"weight_decay\": 0.0001, \"maximize\": true}"));
        assertEquals(new SGD(0.05, 0.9, 0, 0, true, false),
                PyTorchRules.fromPyTorch("SGD", "{\"lr\": 0.05, \"momentum\": 0.9, \"nesterov\": true}"));
        assertEquals(new Adagrad(0.1, 0.01, 0.01, 0.1, 1e-10, false), PyTorchRules.fromPyTorch("Adagrad",
                "{\"lr\": 0.1, \"lr_decay\": 0.01, \"weight_decay\": 0.01, \"initial_accumulator_value\": 0.1, \"eps\": 1e-10}"));
        assertEquals(new RMSprop(0.01, 0.9, 1e-8, 0.001, 0.9, true, false), PyTorchRules.fromPyTorch("RMSprop",
                "{\"lr\": 0.01, \"alpha\": 0.9, \"eps\": 1e-08, \"momentum\": 0.9, \"centered\": true, \"weight_decay\": 0.001}"));
        assertEquals(new Adam(1e-3, 0.8, 0.95, 1e-6, 0.01, true, true), PyTorchRules.fromPyTorch("Adam",
                "{\"betas\": [0.8, 0.95], \"eps\": 1e-6, \"weight_decay\": 0.01, \"amsgrad\": true, \"maximize\": true}"));
        assertEquals(new AdamW(2e-3, 0.9, 0.999, 1e-8, 0.1, true, false),
                PyTorchRules.fromPyTorch("AdamW", "{\"lr\": 0.002, \"weight_decay\": 0.1, \"amsgrad\": true}"));
        assertEquals(new Adamax(0.002, 0.9, 0.999, 1e-8, 0.01, false), PyTorchRules.fromPyTorch("Adamax",
                "{\"lr\": 0.002, \"betas\": [0.9, 0.999], \"eps\": 1e-08, \"weight_decay\": 0.01}"));
        assertEquals(new NAdam(0.002, 0.9, 0.999, 1e-8, 0.01, 0.005, true, false), PyTorchRules.fromPyTorch("NAdam",
                "{\"lr\": 0.002, \"weight_decay\": 0.01, \"momentum_decay\": 0.005, \"decoupled_weight_decay\": true}"));
        assertEquals(new RAdam(1e-3, 0.9, 0.999, 1e-8, 0.01, true, false), PyTorchRules.fromPyTorch("RAdam",
                "{\"weight_decay\": 0.01, \"decoupled_weight_decay\": true}"));
        assertEquals(new Adadelta(1.0, 0.9, 1e-6, 0.01, true),
                PyTorchRules.fromPyTorch("Adadelta", "{\"rho\": 0.9, \"weight_decay\": 0.01, \"maximize\": true}"));
    }

    @Test
    void integralJsonNumbersAreAccepted() {
        assertEquals(new Adadelta().withLr(1.0), PyTorchRules.fromPyTorch("Adadelta", "{\"lr\": 1}"));
    }

    @Test
    void adamWithDecoupledWeightDecayIsAdamW() {
        assertEquals(new AdamW(1e-3, 0.9, 0.999, 1e-8, 0.05, false, false),
                PyTorchRules.fromPyTorch("Adam", "{\"weight_decay\": 0.05, \"decoupled_weight_decay\": true}"));
        // Adam's own default weight decay (0) still applies, not AdamW's 1e-2
        assertEquals(0.0, ((AdamW) PyTorchRules.fromPyTorch("Adam", "{\"decoupled_weight_decay\": true}")).weightDecay());
        assertEquals(new Adam(), PyTorchRules.fromPyTorch("Adam", "{\"decoupled_weight_decay\": false}"));
    }

    @Test
    void implementationChoicesAtNeutralValuesAreIgnored() {
        assertEquals(new AdamW(), PyTorchRules.fromPyTorch("AdamW",
                "{\"foreach\": true, \"fused\": null, \"capturable\": false, \"differentiable\": false}"));
        assertEquals(new SGD(), PyTorchRules.fromPyTorch("SGD", "{\"foreach\": null, \"fused\": false}"));
    }

    @Test
    void behaviourChangingImplementationFlagsAreRefused() {
        assertUnsupported("AdamW", "{\"fused\": true}", "fused");
        assertUnsupported("Adam", "{\"capturable\": true}", "capturable");
        assertUnsupported("RMSprop", "{\"differentiable\": true}", "differentiable");
    }

    @Test
    void unknownOrForeignArgumentsAreRefused() {
        assertUnsupported("Adam", "{\"momentum\": 0.9}", "momentum");
        assertUnsupported("AdamW", "{\"decoupled_weight_decay\": true}", "decoupled_weight_decay");
        assertUnsupported("SGD", "{\"lr\": 0.1, \"betas\": [0.9, 0.99], \"bogus\": 1}", "betas", "bogus");
        assertUnsupported("Adagrad", "{\"fused\": true}", "fused");
        assertUnsupported("Adadelta", "{\"fused\": false}", "fused"); // Adadelta has no fused argument
    }

    @Test
    void unknownClassIsRefused() {
        UnsupportedRuleException ex = assertThrows(UnsupportedRuleException.class,
                () -> PyTorchRules.fromPyTorch("LBFGS", "{}"));
        assertTrue(ex.getMessage().contains("LBFGS") && ex.getMessage().contains("AdamW"), ex.getMessage());
        assertThrows(UnsupportedRuleException.class, () -> PyTorchRules.fromPyTorch("adamw", "{}"));
    }

    @Test
    void badValuesNameTheArgument() {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> PyTorchRules.fromPyTorch("Adam", "{\"lr\": \"fast\"}"));
        assertTrue(ex.getMessage().contains("lr") && ex.getMessage().contains("fast"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> PyTorchRules.fromPyTorch("Adam", "{\"betas\": [0.9]}"));
        assertTrue(ex.getMessage().contains("betas"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> PyTorchRules.fromPyTorch("Adam", "{\"amsgrad\": 1}"));
        assertTrue(ex.getMessage().contains("amsgrad"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> PyTorchRules.fromPyTorch("Adam", "{\"lr\": -1}"));
        assertTrue(ex.getMessage().contains("lr"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> PyTorchRules.fromPyTorch("Adam", "{\"lr\": "));
        assertTrue(ex.getMessage().contains("kwargsJson"), ex.getMessage());
    }

    private static void assertUnsupported(String cls, String json, String... fragments) {
        UnsupportedRuleException ex = assertThrows(UnsupportedRuleException.class, () -> PyTorchRules.fromPyTorch(cls, json));
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message contains '" + f + "': " + ex.getMessage());
        }
    }
}
