package dev.fusedstep.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.AllRules;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * N steps, save, load into a freshly built optimizer, M more steps: the same bits as N + M steps
 * without the save, for every rule configuration and every storage layout. The fresh optimizer is
 * built with other learning rates, so the hyperparameters must come from the file too.
 */
class ResumeBitExactTest {
    private static final int N = 3;
    private static final int M = 4;

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (OptimizerRule rule : AllRules.everyConfiguration()) {
            for (Runs.Layout layout : Runs.LAYOUTS) {
                out.add(Arguments.of(rule, Named.of(layout.name(), layout)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void resumedRunHasTheBitsOfAnUninterruptedOne(OptimizerRule rule, Runs.Layout layout) throws IOException {
        Path file = dir.resolve("opt.safetensors");
        byte[] expected;
        try (Runs.Model m = new Runs.Model(layout.dtype(), 42); Optimizer opt = Runs.build(m, rule, layout.precision())) {
            Runs.train(opt, m, 0, N + M);
            expected = Runs.snapshot(opt, m);
        }
        Runs.Model resumed;
        try (Runs.Model m = new Runs.Model(layout.dtype(), 42); Optimizer opt = Runs.build(m, rule, layout.precision())) {
            Runs.train(opt, m, 0, N);
            opt.save(file);
            resumed = m.copy();
        }
        try (Runs.Model m = resumed; Optimizer opt = Runs.build(m, rule.withLr(rule.lr() * 3), layout.precision())) {
            opt.load(file);
            assertEquals(N, opt.scalarState(Runs.NAMES[2]).step());
            Runs.train(opt, m, N, N + M);
            assertArrayEquals(expected, Runs.snapshot(opt, m));
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "no temporary file is left behind");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void withoutTheLoadTheRunDiffers(Runs.Layout layout) throws IOException {
        // The check above could pass vacuously if a fresh optimizer already matched: show it does not.
        OptimizerRule rule = new AdamW();
        byte[] expected;
        try (Runs.Model m = new Runs.Model(layout.dtype(), 42); Optimizer opt = Runs.build(m, rule, layout.precision())) {
            Runs.train(opt, m, 0, N + M);
            expected = Runs.snapshot(opt, m);
        }
        try (Runs.Model m = new Runs.Model(layout.dtype(), 42); Optimizer opt = Runs.build(m, rule, layout.precision())) {
            Runs.train(opt, m, 0, N);
            try (Runs.Model copy = m.copy(); Optimizer fresh = Runs.build(copy, rule, layout.precision())) {
                Runs.train(fresh, copy, N, N + M);
                assertFalse(Arrays.equals(expected, Runs.snapshot(fresh, copy)));
            }
        }
    }

    static Stream<Named<Runs.Layout>> layouts() {
        return Runs.LAYOUTS.stream().map(l -> Named.of(l.name(), l));
    }
}
