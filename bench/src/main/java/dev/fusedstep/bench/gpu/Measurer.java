package dev.fusedstep.bench.gpu;

/**
 * Times cases and the roofline probes. {@link CudaMeasurer} on a GPU; {@link DryRunMeasurer}
 * without one, to run everything else (case list, rows, JSON, tables) end to end.
 */
interface Measurer {

    /** Per-step seconds of the timed steps, and what the after-run check found (null: nothing wrong). */
    record Measurement(double[] seconds, String check) {}

    /** The GPU's name, as rows carry it. */
    String deviceName();

    /** One line about the device and its free memory, for the progress log. */
    String memoryLine();

    /** Builds {@code c}, warms it up, then times its steps; frees everything after. */
    Measurement measure(GpuCase c, Repetitions r);

    /** A device-to-device copy moving {@code bytes} (half read, half written): seconds per copy. */
    double[] copy(long bytes, Repetitions r);

    /** A memset writing {@code bytes}: seconds per memset. */
    double[] write(long bytes, Repetitions r);
}
