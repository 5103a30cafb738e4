package dev.fusedstep.checkpoint;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.io.SafeTensors;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.ParamGroup;
import dev.fusedstep.optim.PyTorchRules;
import dev.fusedstep.optim.ScalarState;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a checkpoint against an optimizer, all of it, before anything is written: the same
 * number of groups, the same torch.optim class, parameter indices and names, hyperparameters a
 * rule accepts with the same state buffers, the same storage, and for every parameter each
 * state tensor present with this optimizer's dtype and shape, a valid step count (and NAdam's
 * {@code mu_product}), and no tensor left over. The result copies the tensors straight from the
 * mapped file into the optimizer's buffers and sets rules and step counts.
 */
final class OptimizerRestore {
    private OptimizerRestore() {}

    private static final double MAX_EXACT_STEP = 0x1p53;

    private record Copy(Tensor from, Tensor to) {}

    static Restore plan(CheckpointFile file, Optimizer opt) throws CheckpointException {
        if (!opt.isOpen()) {
            throw new IllegalStateException("optimizer: closed, expected an open optimizer to load into");
        }
        String at = file.path() + ": ";
        List<?> classes = Fields.list(file.json(CheckpointLayout.OPTIMIZER_KEY), at + "metadata \"optimizer\"");
        List<?> groups = Fields.list(file.json(CheckpointLayout.PARAM_GROUPS_KEY), at + "metadata \"param_groups\"");
        Object precisionJson = file.json(CheckpointLayout.PRECISION_KEY); // absent in files converted from PyTorch
        List<?> precisions = precisionJson == null ? null : Fields.list(precisionJson, at + "metadata \"precision\"");
        List<ParamGroup> here = opt.groups();
        if (classes.size() != here.size() || groups.size() != here.size() || (precisions != null && precisions.size() != here.size())) {
            throw new CheckpointException(at + "the file holds " + groups.size() + " parameter groups (" + classes.size()
                    + " optimizer names), expected " + here.size() + " as this optimizer has");
        }
        SafeTensors t = file.tensors();
        Set<String> expected = new HashSet<>();
        List<Copy> copies = new ArrayList<>();
        OptimizerRule[] rules = new OptimizerRule[here.size()];
        List<String> names = new ArrayList<>();
        List<ScalarState> scalars = new ArrayList<>();
        int i = 0;
        for (int g = 0; g < here.size(); g++) {
            String where = at + "group " + g;
            ParamGroup group = here.get(g);
            String cls = Fields.string(classes.get(g), where + " optimizer");
            if (!cls.equals(group.rule().torchName())) {
                throw new CheckpointException(where + ": the file holds " + cls + " state, expected "
                        + group.rule().torchName() + " (this optimizer's rule)");
            }
            Map<String, Object> pg = Fields.object(groups.get(g), where + " of param_groups");
            checkParams(pg, group, i, where);
            rules[g] = rule(cls, pg, group, where);
            if (precisions != null) {
                String diff = PrecisionJson.difference(PrecisionJson.read(precisions.get(g), where + " precision"), group.precision());
                if (diff != null) {
                    throw new CheckpointException(where + ": storage differs: " + diff);
                }
            }
            for (Param p : group.params()) {
                String pw = at + "parameter " + i + " '" + p.name() + "'";
                for (Map.Entry<String, Tensor> s : opt.states(p.name()).entrySet()) {
                    copies.add(copy(t, CheckpointLayout.tensorName(i, s.getKey()), s.getValue(), pw, expected));
                }
                if (group.precision().float32Master()) {
                    copies.add(copy(t, CheckpointLayout.tensorName(i, CheckpointLayout.MASTER), opt.masterWeights(p.name()), pw, expected));
                }
                long step = step(t, CheckpointLayout.tensorName(i, CheckpointLayout.STEP), pw, expected);
                double mu = group.rule() instanceof NAdam
                        ? scalar(t, CheckpointLayout.tensorName(i, CheckpointLayout.MU_PRODUCT), DType.F32, pw, expected) : 1.0;
                try {
                    scalars.add(new ScalarState(step, mu));
                } catch (IllegalArgumentException ex) {
                    throw new CheckpointException(pw + ": " + ex.getMessage());
                }
                names.add(p.name());
                i++;
            }
        }
        for (String n : t.names()) {
            if (!expected.contains(n)) {
                throw new CheckpointException(at + "unexpected tensor '" + n + "', expected only the state of this optimizer's "
                        + i + " parameters");
            }
        }
        return () -> {
            for (Copy c : copies) {
                copyIn(c.from(), c.to());
            }
            for (int g = 0; g < rules.length; g++) {
                here.get(g).setRule(rules[g]);
            }
            for (int k = 0; k < names.size(); k++) {
                opt.restoreScalarState(names.get(k), scalars.get(k));
            }
        };
    }

    /** The group's {@code params} must be this optimizer's indices; {@code param_names}, where present, its names. */
    private static void checkParams(Map<String, Object> pg, ParamGroup group, int first, String where) throws CheckpointException {
        List<?> indices = Fields.list(pg.get("params"), where + " params");
        int n = group.params().size();
        if (indices.size() != n) {
            throw new CheckpointException(where + ": the file holds " + indices.size() + " parameters, expected " + n
                    + " as this optimizer's group has");
        }
        for (int k = 0; k < n; k++) {
            long index = Fields.integer(indices.get(k), where + " params[" + k + "]");
            if (index != first + k) {
                throw new CheckpointException(where + ": params[" + k + "] is " + index + ", expected " + (first + k)
                        + " (parameters numbered across groups in order)");
            }
        }
        if (pg.containsKey("param_names")) {
            List<?> fileNames = Fields.list(pg.get("param_names"), where + " param_names");
            for (int k = 0; k < n; k++) {
                String name = k < fileNames.size() ? Fields.string(fileNames.get(k), where + " param_names[" + k + "]") : null;
                if (!group.params().get(k).name().equals(name)) {
                    throw new CheckpointException(where + ": parameter " + (first + k) + " is named " + (name == null ? "nothing" : "'" + name + "'")
                            + " in the file, expected '" + group.params().get(k).name() + "'");
                }
            }
        }
    }

    /** The file's hyperparameters as a rule; it must keep the same state buffers as the group's rule. */
    private static OptimizerRule rule(String cls, Map<String, Object> pg, ParamGroup group, String where) throws CheckpointException {
        Map<String, Object> kwargs = new LinkedHashMap<>(pg);
        kwargs.remove("params");
        kwargs.remove("param_names");
        kwargs.remove("initial_lr"); // a torch scheduler's; the scheduler's own state carries base lrs
        if (cls.equals("AdamW") && Boolean.TRUE.equals(kwargs.get("decoupled_weight_decay"))) {
            kwargs.remove("decoupled_weight_decay"); // PyTorch >= 2.6 records what AdamW means by definition
        }
        OptimizerRule rule;
        try {
            rule = PyTorchRules.fromPyTorch(cls, kwargs);
        } catch (IllegalArgumentException ex) {
            throw new CheckpointException(where + " hyperparameters: " + ex.getMessage(), ex);
        }
        if (!rule.stateNames().equals(group.rule().stateNames())) {
            throw new CheckpointException(where + ": the file's " + cls + " keeps state " + rule.stateNames()
                    + ", expected " + group.rule().stateNames() + " as this optimizer's rule " + group.rule());
        }
        return rule;
    }

    private static Copy copy(SafeTensors t, String name, Tensor target, String pw, Set<String> expected) throws CheckpointException {
        require(t, name, target.dtype(), target.shape(), pw, expected);
        try {
            HostTransfer.forDevice(target.device()); // fails here, before any write, where no transfer exists
        } catch (UnsupportedOperationException ex) {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
        return new Copy(t.tensor(name), target);
    }

    private static long step(SafeTensors t, String name, String pw, Set<String> expected) throws CheckpointException {
        double v = scalar(t, name, DType.F64, pw, expected);
        if (!(v >= 0 && v <= MAX_EXACT_STEP && v == Math.rint(v))) {
            throw new CheckpointException(pw + ": '" + name + "' is " + v + ", expected a whole step count >= 0");
        }
        return (long) v;
    }

    private static double scalar(SafeTensors t, String name, DType dtype, String pw, Set<String> expected) throws CheckpointException {
        require(t, name, dtype, new long[0], pw, expected);
        return t.toDoubleArray(name)[0];
    }

    private static void require(SafeTensors t, String name, DType dtype, long[] shape, String pw, Set<String> expected)
            throws CheckpointException {
        if (!t.contains(name)) {
            throw new CheckpointException(pw + ": tensor '" + name + "' is missing, expected " + dtype + " " + Arrays.toString(shape));
        }
        if (t.dtype(name) != dtype) {
            throw new CheckpointException(pw + ": tensor '" + name + "' is " + t.dtype(name) + " in the file, expected "
                    + dtype + " as this optimizer stores it");
        }
        if (!Arrays.equals(t.shape(name), shape)) {
            throw new CheckpointException(pw + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape(name))
                    + " in the file, expected " + Arrays.toString(shape));
        }
        expected.add(name);
    }

    private static void copyIn(Tensor from, Tensor to) {
        MemorySegment src = from.segment();
        if (to.device().equals(Device.CPU)) {
            MemorySegment.copy(src, 0, to.segment(), 0, src.byteSize());
            return;
        }
        HostTransfer transfer = HostTransfer.forDevice(to.device());
        for (long at = 0; at < src.byteSize(); at += CheckpointWriter.CHUNK) {
            transfer.fromHost(src.asSlice(at, Math.min(CheckpointWriter.CHUNK, src.byteSize() - at)), to, at);
        }
    }
}
