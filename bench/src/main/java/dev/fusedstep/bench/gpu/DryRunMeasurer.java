package dev.fusedstep.bench.gpu;

/**
 * Made-up times from made-up bandwidths (copy 3000 GB/s, write 3200, cases 2700), touching no
 * GPU: {@code GpuBench --dry-run} runs the whole pipeline with it, so that everything but the
 * device code is exercised before a GPU run.
 */
final class DryRunMeasurer implements Measurer {

    static final double COPY_GBPS = 3000, WRITE_GBPS = 3200, CASE_GBPS = 2700;

    @Override
    public String deviceName() {
        return "dry run (no GPU)";
    }

    @Override
    public String memoryLine() {
        return "dry run: no device memory";
    }

    @Override
    public Measurement measure(GpuCase c, Repetitions r) {
        return new Measurement(samples(c.bytes(), CASE_GBPS, r.repeats()), null);
    }

    @Override
    public double[] copy(long bytes, Repetitions r) {
        return samples(bytes, COPY_GBPS, r.repeats());
    }

    @Override
    public double[] write(long bytes, Repetitions r) {
        return samples(bytes, WRITE_GBPS, r.repeats());
    }

    /** Seconds at {@code gbps}, the samples 0%, +1%, +2%, 0%, ... above it (a median exactly at it for odd counts). */
    private static double[] samples(long bytes, double gbps, int repeats) {
        double[] s = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            s[i] = bytes / (gbps * 1e9) * (1 + 0.01 * (i % 3));
        }
        return s;
    }
}
