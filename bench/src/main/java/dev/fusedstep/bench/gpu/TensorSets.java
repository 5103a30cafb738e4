package dev.fusedstep.bench.gpu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The tensor sets the GPU cases step, under the labels bench/peers/torch_optim.py gives them, so
 * that a row of ours and PyTorch's row for the same set join on the label: one tensor of 64M
 * parameters, the parameters of GPT-2 small, and 4096 tensors of 4096 parameters.
 */
final class TensorSets {
    private TensorSets() {}

    static final long M64 = 1L << 26;

    /** {@code "1x64M"}: one tensor of 64M parameters. */
    static final String ONE_64M = "1x64M";
    /** {@code "gpt2-small"}: 148 tensors, 124,439,808 parameters. */
    static final String GPT2_SMALL = "gpt2-small";
    /** {@code "4096x4096"}: 4096 tensors of 4096 parameters (per-tensor overhead). */
    static final String MANY_4096 = "4096x4096";

    /** The shapes of the set {@code label}. */
    static List<long[]> shapes(String label) {
        return switch (label) {
            case ONE_64M -> List.of(new long[] {M64});
            case GPT2_SMALL -> gpt2Small();
            case MANY_4096 -> Collections.nCopies(4096, new long[] {4096});
            default -> throw new IllegalArgumentException("label: got \"" + label + "\", expected " + ONE_64M + ", "
                    + GPT2_SMALL + " or " + MANY_4096);
        };
    }

    /**
     * GPT-2 small's parameter shapes in Hugging Face order, exactly as torch_optim.py's
     * {@code gpt2_small_shapes()}: wte, wpe, 12 blocks (ln_1 weight and bias, attn.c_attn weight
     * and bias, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj), then ln_f; lm_head is tied to wte.
     */
    static List<long[]> gpt2Small() {
        long vocab = 50257, context = 1024, width = 768;
        List<long[]> s = new ArrayList<>();
        s.add(new long[] {vocab, width});
        s.add(new long[] {context, width});
        for (int layer = 0; layer < 12; layer++) {
            s.add(new long[] {width});  // ln_1 weight
            s.add(new long[] {width});  // ln_1 bias
            s.add(new long[] {width, 3 * width});  // attn.c_attn weight
            s.add(new long[] {3 * width});  // attn.c_attn bias
            s.add(new long[] {width, width});  // attn.c_proj weight
            s.add(new long[] {width});  // attn.c_proj bias
            s.add(new long[] {width});  // ln_2 weight
            s.add(new long[] {width});  // ln_2 bias
            s.add(new long[] {width, 4 * width});  // mlp.c_fc weight
            s.add(new long[] {4 * width});  // mlp.c_fc bias
            s.add(new long[] {4 * width, width});  // mlp.c_proj weight
            s.add(new long[] {width});  // mlp.c_proj bias
        }
        s.add(new long[] {width});  // ln_f weight
        s.add(new long[] {width});  // ln_f bias
        return List.copyOf(s);
    }

    /** Elements of one shape. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Parameters over all shapes. */
    static long size(List<long[]> shapes) {
        long n = 0;
        for (long[] s : shapes) {
            n = Math.addExact(n, numel(s));
        }
        return n;
    }
}
