package dev.fusedstep.init;

/** Which fan the Kaiming initializers scale by, as torch.nn.init's {@code mode}. */
public enum FanMode {
    /** Preserves the variance of the activations in the forward pass (PyTorch's default). */
    FAN_IN("fan_in"),
    /** Preserves the variance of the gradients in the backward pass. */
    FAN_OUT("fan_out");

    private final String torchName;

    FanMode(String torchName) {
        this.torchName = torchName;
    }

    /** PyTorch's spelling: "fan_in" or "fan_out". */
    public String torchName() {
        return torchName;
    }

    /** The mode PyTorch spells {@code name}, or an exception naming both. */
    public static FanMode fromName(String name) {
        for (FanMode m : values()) {
            if (m.torchName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("mode: got \"" + name + "\", expected fan_in or fan_out");
    }
}
