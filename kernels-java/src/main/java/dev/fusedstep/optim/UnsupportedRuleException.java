package dev.fusedstep.optim;

/**
 * A PyTorch optimizer configuration fusedstep cannot reproduce: an unknown torch.optim class,
 * an unknown keyword argument, or one whose value would change behaviour in a way no kernel
 * implements (e.g. {@code capturable=True}). The message says which.
 */
public final class UnsupportedRuleException extends IllegalArgumentException {
    public UnsupportedRuleException(String message) {
        super(message);
    }
}
