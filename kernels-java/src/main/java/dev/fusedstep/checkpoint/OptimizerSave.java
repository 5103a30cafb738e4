package dev.fusedstep.checkpoint;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.io.Json;
import dev.fusedstep.io.TensorSpec;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.ParamGroup;
import dev.fusedstep.optim.PyTorchRules;
import dev.fusedstep.optim.ScalarState;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a checkpoint holds of an optimizer: its tensors, in parameter order, and its groups as JSON metadata. */
final class OptimizerSave {
    private OptimizerSave() {}

    /** Every state tensor, master copy and scalar of {@code opt}; the scalars are placed in {@code scratch}. */
    static List<CheckpointWriter.Item> items(Optimizer opt, Arena scratch) {
        List<CheckpointWriter.Item> items = new ArrayList<>();
        int i = 0;
        for (ParamGroup group : opt.groups()) {
            for (Param p : group.params()) {
                for (Map.Entry<String, Tensor> s : opt.states(p.name()).entrySet()) {
                    items.add(item(CheckpointLayout.tensorName(i, s.getKey()), s.getValue()));
                }
                ScalarState scalars = opt.scalarState(p.name());
                Tensor step = Tensor.allocate(scratch, DType.F64, 1);
                step.segment().set(ValueLayout.JAVA_DOUBLE, 0, (double) scalars.step());
                items.add(new CheckpointWriter.Item(new TensorSpec(CheckpointLayout.tensorName(i, CheckpointLayout.STEP),
                        DType.F64, new long[0]), step));
                if (group.rule() instanceof NAdam) {
                    Tensor mu = Tensor.allocate(scratch, DType.F32, 1);
                    mu.setFloat(0, (float) scalars.muProduct()); // exact: ScalarState keeps it rounded to float32
                    items.add(new CheckpointWriter.Item(new TensorSpec(CheckpointLayout.tensorName(i, CheckpointLayout.MU_PRODUCT),
                            DType.F32, new long[0]), mu));
                }
                if (group.precision().float32Master()) {
                    items.add(item(CheckpointLayout.tensorName(i, CheckpointLayout.MASTER), opt.masterWeights(p.name())));
                }
                i++;
            }
        }
        return items;
    }

    private static CheckpointWriter.Item item(String name, Tensor t) {
        return new CheckpointWriter.Item(new TensorSpec(name, t.dtype(), t.shape()), t);
    }

    /** The groups: class names, hyperparameters under PyTorch's names with parameter indices and names, storage. */
    static Map<String, String> metadata(Optimizer opt) {
        List<Object> classes = new ArrayList<>();
        List<Object> groups = new ArrayList<>();
        List<Object> precisions = new ArrayList<>();
        int i = 0;
        for (ParamGroup group : opt.groups()) {
            classes.add(group.rule().torchName());
            Map<String, Object> g = new LinkedHashMap<>(PyTorchRules.toPyTorch(group.rule()));
            List<Object> indices = new ArrayList<>();
            List<Object> names = new ArrayList<>();
            for (Param p : group.params()) {
                indices.add(i++);
                names.add(p.name());
            }
            g.put("params", indices);
            g.put("param_names", names);
            groups.add(g);
            precisions.add(PrecisionJson.write(group.precision()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(CheckpointLayout.OPTIMIZER_KEY, Json.write(classes));
        meta.put(CheckpointLayout.PARAM_GROUPS_KEY, Json.write(groups));
        meta.put(CheckpointLayout.PRECISION_KEY, Json.write(precisions));
        return meta;
    }
}
