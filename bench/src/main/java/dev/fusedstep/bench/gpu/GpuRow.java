package dev.fusedstep.bench.gpu;

/**
 * What one case (or roofline probe) gave: its per-step times, or why it has none. A row without
 * times is still a row: "unsupported: ..." for a layout the backend refuses, "failed: ..." for an
 * error, so that the report shows every case that was tried.
 *
 * @param c          the case (a probe's row has a case made up for it)
 * @param status     "ok", "suspect: what the after-run check found", "unsupported: ..." or "failed: ..."
 * @param seconds    per-step times (null when not measured)
 * @param copyGbps   the copy probe's GB/s at this case's byte count, or null
 * @param writeGbps  the write probe's GB/s at this case's byte count (initializers), or null
 * @param deviceName the GPU's name
 */
record GpuRow(GpuCase c, String status, double[] seconds, Double copyGbps, Double writeGbps, String deviceName) {

    static final String OK = "ok";

    GpuRow {
        if (seconds != null && seconds.length == 0) {
            throw new IllegalArgumentException("seconds of " + c.id() + ": got no samples, expected at least one");
        }
    }

    static GpuRow notMeasured(GpuCase c, String status, String deviceName) {
        return new GpuRow(c, status, null, null, null, deviceName);
    }

    boolean measured() {
        return seconds != null;
    }

    /** Median seconds per step, or null. */
    Double medianSeconds() {
        return measured() ? Stats.median(seconds) : null;
    }

    /** Median ms per step, unrounded, or null. */
    Double ms() {
        return measured() ? medianSeconds() * 1e3 : null;
    }

    /** bytes per parameter x parameters / median time, in GB/s (bytes per ns), unrounded, or null. */
    Double gbps() {
        return measured() ? c.bytes() / (medianSeconds() * 1e9) : null;
    }

    Double nsPerParam() {
        return measured() ? medianSeconds() * 1e9 / c.size() : null;
    }

    Double spread() {
        return measured() ? Stats.spread(seconds) : null;
    }

    Double fractionOfCopy() {
        return measured() && copyGbps != null ? gbps() / copyGbps : null;
    }

    Double fractionOfWrite() {
        return measured() && writeGbps != null ? gbps() / writeGbps : null;
    }
}
