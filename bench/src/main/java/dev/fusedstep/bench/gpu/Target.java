package dev.fusedstep.bench.gpu;

import java.util.Locale;

/**
 * One of the GPU speed targets for a case, checked against numbers from the same run:
 * a fraction of the copy (or write) probe's bandwidth at the case's byte count, a time ratio to
 * another case of ours (the loss-scaled step against the plain one), or a speed-up over
 * PyTorch's row for the same case.
 *
 * @param kind      what is compared
 * @param threshold the fraction or ratio that meets the target
 * @param baseline  for {@link Kind#TIME_VS_CASE}: the id of the case whose time is the denominator
 */
record Target(Kind kind, double threshold, String baseline) {

    enum Kind {
        /** gbps / copy probe gbps >= threshold. */
        OF_COPY,
        /** gbps / write probe gbps >= threshold. */
        OF_WRITE,
        /** ms / the baseline case's ms <= threshold. */
        TIME_VS_CASE,
        /** PyTorch's ms / ms >= threshold. */
        SPEEDUP_VS_TORCH
    }

    Target {
        if (kind == null || !(threshold > 0)) {
            throw new IllegalArgumentException("kind, threshold: got " + kind + ", " + threshold
                    + ", expected a kind and a positive threshold");
        }
        if ((kind == Kind.TIME_VS_CASE) != (baseline != null)) {
            throw new IllegalArgumentException("baseline: got " + baseline + ", expected a case id exactly for TIME_VS_CASE");
        }
    }

    static Target ofCopy(double fraction) {
        return new Target(Kind.OF_COPY, fraction, null);
    }

    static Target ofWrite(double fraction) {
        return new Target(Kind.OF_WRITE, fraction, null);
    }

    static Target timeVs(String caseId, double ratio) {
        return new Target(Kind.TIME_VS_CASE, ratio, caseId);
    }

    static Target speedupVsTorch(double factor) {
        return new Target(Kind.SPEEDUP_VS_TORCH, factor, null);
    }

    /** The target as the report prints it, e.g. {@code ">= 90% of copy"}. */
    String describe() {
        return switch (kind) {
            case OF_COPY -> String.format(Locale.ROOT, ">= %.0f%% of copy", threshold * 100);
            case OF_WRITE -> String.format(Locale.ROOT, ">= %.0f%% of write", threshold * 100);
            case TIME_VS_CASE -> String.format(Locale.ROOT, "<= %.2f x %s", threshold, baseline);
            case SPEEDUP_VS_TORCH -> String.format(Locale.ROOT, ">= %.0f x PyTorch", threshold);
        };
    }

    /** The measured value this target compares (a fraction or ratio), or null where a side is missing. */
    Double value(Double gbps, Double ms, Double copyGbps, Double writeGbps, Double baselineMs, Double torchMs) {
        return switch (kind) {
            case OF_COPY -> gbps == null || copyGbps == null ? null : gbps / copyGbps;
            case OF_WRITE -> gbps == null || writeGbps == null ? null : gbps / writeGbps;
            case TIME_VS_CASE -> ms == null || baselineMs == null ? null : ms / baselineMs;
            case SPEEDUP_VS_TORCH -> ms == null || torchMs == null ? null : torchMs / ms;
        };
    }

    /** Whether {@code value} meets the target; null for no value. */
    Boolean met(Double value) {
        if (value == null) {
            return null;
        }
        return kind == Kind.TIME_VS_CASE ? value <= threshold : value >= threshold;
    }

    /** The value as the report prints it: a percentage for fractions of a probe, else "1.07 x". */
    String format(Double value) {
        if (value == null) {
            return "-";
        }
        return kind == Kind.OF_COPY || kind == Kind.OF_WRITE
                ? String.format(Locale.ROOT, "%.1f%%", value * 100)
                : String.format(Locale.ROOT, "%.2f x", value);
    }
}
