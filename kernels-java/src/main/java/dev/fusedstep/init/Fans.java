package dev.fusedstep.init;

import java.util.Arrays;

/**
 * A weight's fan-in and fan-out, as torch.nn.init._calculate_fan_in_and_fan_out for PyTorch's
 * layout (weight {@code [out, in, *kernel]}): {@code fanIn = shape[1] * receptive},
 * {@code fanOut = shape[0] * receptive}, {@code receptive} the product of {@code shape[2:]}.
 */
public record Fans(long fanIn, long fanOut) {

    /** The fans of a tensor of {@code shape}; at least two dimensions. */
    public static Fans of(long... shape) {
        if (shape == null || shape.length < 2) {
            throw new IllegalArgumentException("shape: got " + Arrays.toString(shape)
                    + ", expected at least 2 dimensions (fan in and fan out need [out, in, ...])");
        }
        long receptive = 1;
        for (int d = 2; d < shape.length; d++) {
            receptive = Math.multiplyExact(receptive, shape[d]);
        }
        return new Fans(Math.multiplyExact(shape[1], receptive), Math.multiplyExact(shape[0], receptive));
    }

    /** {@link #fanIn} or {@link #fanOut}. */
    public long get(FanMode mode) {
        return mode == FanMode.FAN_IN ? fanIn : fanOut;
    }
}
