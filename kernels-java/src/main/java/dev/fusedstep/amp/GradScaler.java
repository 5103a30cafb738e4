package dev.fusedstep.amp;

import dev.fusedstep.Device;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.optim.Optimizer;

/**
 * Dynamic loss scaling with the semantics and defaults of PyTorch's {@code torch.amp.GradScaler}:
 * multiply the loss by {@link #scale()} before the backward pass ({@link #scaleLoss}), then call
 * {@link #step(Optimizer)} instead of {@code opt.step()}.
 *
 * <p>A step makes one read-only pass over every gradient of the optimizer (the global norm, in
 * double, see {@link GradClipping#totalNorm}). If that norm is not finite, some gradient holds an
 * infinity or a NaN: the step is skipped (no parameter, state, master weight or step count is
 * touched), the scale is multiplied by {@code backoffFactor} and the growth tracker reset.
 * Otherwise the optimizer steps once with every gradient multiplied, inside the step kernel, by
 * {@code 1/scale} (and, when clipping, by the clip coefficient); nothing ever writes the
 * gradients. After {@code growthInterval} consecutive finite steps the scale is multiplied by
 * {@code growthFactor} (unless that overflows float32), as PyTorch's {@code _amp_update_scale_}.
 *
 * <p>Clipping ({@link #step(Optimizer, double, double)}) computes the clip coefficient on the
 * unscaled norm, {@code total / scale}. With a power-of-two scale (the defaults keep it one)
 * {@code 1/scale} is exact, dividing the norm by the scale is exact (L2, L1 and the max norm),
 * and the coefficient times {@code 1/scale} is exact in float32, so each gradient the kernel sees,
 * {@code round(g * (1/scale * coef))}, has the bits PyTorch's {@code scaler.unscale_(opt)},
 * {@code clip_grad_norm_(params, max_norm)}, {@code scaler.step(opt)} would give it (for float32
 * gradients; half gradients here skip PyTorch's intermediate roundings to half, so they are more
 * accurate).
 *
 * <p>On an optimizer whose tensors are on a CUDA device the same arithmetic runs there: the scale,
 * growth tracker and found-inf flag live in device memory, and {@link #queueStep} queues the
 * norm pass, the step (which reads the multiplier and the flag) and the scale update without
 * waiting for the GPU. The getters and {@code step}'s answer read the device, so they wait.
 *
 * <p>The scale is float32, as PyTorch keeps it, and never backs off below {@link Float#MIN_NORMAL}; {@code 1/scale} is {@code (float) (1.0 / scale)},
 * as PyTorch's {@code unscale_}. Not thread-safe, like the optimizer it drives.
 */
public final class GradScaler {

    public static final double DEFAULT_INIT_SCALE = 65536.0;
    public static final double DEFAULT_GROWTH_FACTOR = 2.0;
    public static final double DEFAULT_BACKOFF_FACTOR = 0.5;
    public static final int DEFAULT_GROWTH_INTERVAL = 2000;

    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private float scale;
    private int growthTracker;
    private double lastNorm = Double.NaN;
    /** Whether the last step on the CPU stepped (its answer; a CUDA step's is read from the device). */
    private boolean lastStepped;
    /** Non-null while the scaler drives an optimizer on a CUDA device: the scale then lives there. */
    private DeviceScaling onDevice;

    /** PyTorch's defaults: init_scale 65536, growth_factor 2, backoff_factor 0.5, growth_interval 2000. */
    public GradScaler() {
        this(DEFAULT_INIT_SCALE, DEFAULT_GROWTH_FACTOR, DEFAULT_BACKOFF_FACTOR, DEFAULT_GROWTH_INTERVAL);
    }

    /**
     * A scaler starting at {@code initScale} (finite, > 0, representable as a positive float32),
     * growing by {@code growthFactor} (> 1, finite) after {@code growthInterval} (>= 1)
     * consecutive finite steps, backing off by {@code backoffFactor} (in (0, 1)) on every skip.
     */
    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!(growthFactor > 1) || Double.isInfinite(growthFactor)) {
            throw new IllegalArgumentException("growth_factor: got " + growthFactor + ", expected a finite value > 1");
        }
        if (!(backoffFactor > 0 && backoffFactor < 1)) {
            throw new IllegalArgumentException("backoff_factor: got " + backoffFactor + ", expected a value in (0, 1)");
        }
        if (growthInterval < 1) {
            throw new IllegalArgumentException("growth_interval: got " + growthInterval + ", expected an integer >= 1");
        }
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
        this.scale = checkedScale("init_scale", initScale);
        this.growthTracker = 0;
    }

    /**
     * Resumes from a saved {@link #scale()} and {@link #growthTracker()} (PyTorch's state_dict
     * {@code "scale"} and {@code "_growth_tracker"}); returns this scaler.
     */
    public GradScaler load(double scale, int growthTracker) {
        float s = checkedScale("scale", scale);
        if (growthTracker < 0 || growthTracker >= growthInterval) {
            throw new IllegalArgumentException("growthTracker: got " + growthTracker + ", expected 0 <= tracker < "
                    + growthInterval + " (the growth interval)");
        }
        this.scale = s;
        this.growthTracker = growthTracker;
        if (onDevice != null) {
            onDevice.scaler().restore(s, growthTracker);
        }
        return this;
    }

    private static float checkedScale(String name, double value) {
        float f = (float) value;
        if (!(value > 0) || !Float.isFinite(f) || f < Float.MIN_NORMAL) {
            throw new IllegalArgumentException(name + ": got " + value + ", expected a finite float32 value >= "
                    + Float.MIN_NORMAL + " (e.g. 65536)");
        }
        return f;
    }

    /**
     * The current loss scale (float32, as PyTorch keeps it). While the scaler drives a CUDA
     * optimizer the scale lives on the device, and this waits for the queued steps.
     */
    public float scale() {
        return onDevice != null ? onDevice.scaler().readScale() : scale;
    }

    /** Consecutive finite steps since the scale last changed or a step was skipped (waits, as {@link #scale()}). */
    public int growthTracker() {
        return onDevice != null ? onDevice.scaler().readGrowthTracker() : growthTracker;
    }

    float hostScale() {
        return scale;
    }

    int hostGrowthTracker() {
        return growthTracker;
    }

    public double growthFactor() {
        return growthFactor;
    }

    public double backoffFactor() {
        return backoffFactor;
    }

    public int growthInterval() {
        return growthInterval;
    }

    /**
     * The global norm of the unscaled gradients measured by the last {@link #step} (L2 unless a
     * clipping step asked for another); infinite or NaN after a skipped step, NaN before any.
     */
    public double lastNorm() {
        return onDevice != null ? onDevice.scaler().readUnscaledNorm() : lastNorm;
    }

    /** {@code loss * scale()} in float32: the loss to run the backward pass from. */
    public float scaleLoss(float loss) {
        return loss * scale();
    }

    /**
     * Steps {@code opt} on its gradients divided by the scale, or skips the step if any gradient
     * is infinite or NaN; then updates the scale. Returns whether the optimizer stepped (on a
     * CUDA optimizer that answer waits for the GPU; {@link #queueStep(Optimizer)} does not).
     */
    public boolean step(Optimizer opt) {
        return step(opt, Double.NaN, GradClipping.L2, false);
    }

    /**
     * As {@link #step(Optimizer)} without the answer: on a CUDA optimizer the norm pass, the
     * step and the scale update are queued on the device, with no host synchronization (the
     * found-inf flag and the multiplier stay in device memory); on the CPU it is {@code step}.
     */
    public void queueStep(Optimizer opt) {
        queue(opt, Double.NaN, GradClipping.L2, false);
    }

    /** As {@link #step(Optimizer, double, double)} without the answer; see {@link #queueStep(Optimizer)}. */
    public void queueStep(Optimizer opt, double maxNorm, double normType) {
        GradClipping.requireMaxNorm(maxNorm);
        queue(opt, maxNorm, normType, true);
    }

    /**
     * As {@link #step(Optimizer)}, also clipping the unscaled gradients to a total
     * {@code normType}-norm of at most {@code maxNorm}, as {@code torch.nn.utils.clip_grad_norm_}
     * between {@code unscale_} and {@code step}: the coefficient is folded into the step's
     * gradient multiplier, so the gradients are read once by the norm pass and once by the step.
     */
    public boolean step(Optimizer opt, double maxNorm, double normType) {
        GradClipping.requireMaxNorm(maxNorm);
        return step(opt, maxNorm, normType, true);
    }

    private boolean step(Optimizer opt, double maxNorm, double normType, boolean clip) {
        if (queue(opt, maxNorm, normType, clip)) {
            return !onDevice.scaler().readSkipped();
        }
        return lastStepped;
    }

    /** Runs the step on the CPU, or queues it on the optimizer's CUDA device (returns true then). */
    private boolean queue(Optimizer opt, double maxNorm, double normType, boolean clip) {
        if (opt == null) {
            throw new IllegalArgumentException("opt: got null, expected an Optimizer");
        }
        GradClipping.requireNormType(normType);
        Device device = opt.device();
        if (onDevice != null && !onDevice.device().equals(device)) {
            leaveDevice();
        }
        if (device.kind() == Device.Kind.CUDA) {
            if (onDevice == null) {
                onDevice = DeviceScaling.start(this, device);
            }
            onDevice.queueStep(opt, clip ? maxNorm : Double.NaN, normType);
            return true;
        }
        lastStepped = hostStep(opt, maxNorm, normType, clip);
        return false;
    }

    /** Brings the device's scale, tracker and last norm back to the host and frees the device state. */
    private void leaveDevice() {
        scale = onDevice.scaler().readScale();
        growthTracker = onDevice.scaler().readGrowthTracker();
        lastNorm = onDevice.scaler().readUnscaledNorm();
        onDevice.close();
        onDevice = null;
    }

    private boolean hostStep(Optimizer opt, double maxNorm, double normType, boolean clip) {
        float invScale = (float) (1.0 / scale); // finite: the scale never drops below Float.MIN_NORMAL
        double unscaledNorm = GradClipping.totalNorm(opt.gradients(), normType) / scale;
        if (!Double.isFinite(unscaledNorm)) {
            lastNorm = unscaledNorm;
            backOff();
            return false;
        }
        float multiplier = clip ? invScale * GradClipping.clipCoefficient(maxNorm, unscaledNorm) : invScale;
        opt.step(multiplier);
        lastNorm = unscaledNorm;
        grow();
        return true;
    }

    /** PyTorch: {@code scale *= backoff_factor} (double product, stored as float32), tracker reset. */
    private void backOff() {
        // Floored at the smallest normal float32 (2^-126), whose inverse is still finite; PyTorch's
        // would underflow to 0 after ~140 consecutive skips and turn every later gradient into NaN.
        scale = Math.max((float) (scale * backoffFactor), Float.MIN_NORMAL);
        growthTracker = 0;
    }

    /** PyTorch: after growth_interval finite steps, {@code scale *= growth_factor} unless that overflows. */
    private void grow() {
        int successful = growthTracker + 1;
        if (successful == growthInterval) {
            float grown = (float) (scale * growthFactor);
            if (Float.isFinite(grown)) {
                scale = grown;
            }
            growthTracker = 0;
        } else {
            growthTracker = successful;
        }
    }
}
