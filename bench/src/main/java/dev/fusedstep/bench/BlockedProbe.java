package dev.fusedstep.bench;

import dev.fusedstep.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The same-traffic probe for any optimizer and layout ({@link OptimizerBench}): per block of
 * {@link #BLOCK} elements it reads the gradient, adds one to every buffer the step reads and
 * writes (the parameter or the master copy, and each state) and stores into the half parameter a
 * master layout writes. Block by block rather than one fused loop, so that one method serves
 * any number of states and any dtypes; a block of every stream stays in L1.
 *
 * <p>Measured (bench/README.md, 2026-12-02): in cache it is a fair probe, but at 16M it reaches only
 * 25-28 GB/s where the fused {@link Probes#adamw} reaches 46-52 and the kernels 42-53: one stream
 * at a time in 2 KB bursts leaves the memory system too little to overlap. Its fraction at
 * memory-bound sizes is therefore not a roofline; a fused loop per state count is the fix.
 */
final class BlockedProbe {
    private BlockedProbe() {}

    /** Elements per block: 2 KB of float32 per stream, so the blocks of up to six streams fit in L1. */
    static final int BLOCK = 512;

    private static final VectorSpecies<Float> F = Probes.F;
    private static final VectorSpecies<Short> H = Probes.H;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * One step's traffic over {@code n} elements (a multiple of the vector length).
     *
     * @param grad      read only, {@code gradType}
     * @param updated   read and written: the parameter (or the master copy) first, then each state
     * @param types     the dtype of each {@code updated} buffer
     * @param halfParam written only (a master layout's rounded half parameter), or null
     * @return a value depending on every gradient element, for the caller's blackhole
     */
    static float step(MemorySegment grad, DType gradType, MemorySegment[] updated, DType[] types,
            MemorySegment halfParam, long n) {
        float sink = 0;
        for (long from = 0; from < n; from += BLOCK) {
            long to = Math.min(n, from + BLOCK);
            sink += gradType == DType.F32 ? readFloats(grad, from, to) : readShorts(grad, from, to);
            for (int b = 0; b < updated.length; b++) {
                if (types[b] == DType.F32) {
                    incrementFloats(updated[b], from, to);
                } else {
                    incrementShorts(updated[b], from, to);
                }
            }
            if (halfParam != null) {
                writeShorts(halfParam, from, to);
            }
        }
        return sink;
    }

    private static float readFloats(MemorySegment s, long from, long to) {
        FloatVector acc = FloatVector.zero(F);
        for (long i = from; i < to; i += F.length()) {
            acc = acc.add(FloatVector.fromMemorySegment(F, s, i * Float.BYTES, LE));
        }
        return acc.lane(0);
    }

    private static float readShorts(MemorySegment s, long from, long to) {
        ShortVector acc = ShortVector.zero(H);
        for (long i = from; i < to; i += H.length()) {
            acc = acc.add(ShortVector.fromMemorySegment(H, s, i * Short.BYTES, LE));
        }
        return acc.lane(0);
    }

    private static void incrementFloats(MemorySegment s, long from, long to) {
        for (long i = from; i < to; i += F.length()) {
            long off = i * Float.BYTES;
            FloatVector.fromMemorySegment(F, s, off, LE).add(1f).intoMemorySegment(s, off, LE);
        }
    }

    private static void incrementShorts(MemorySegment s, long from, long to) {
        for (long i = from; i < to; i += H.length()) {
            long off = i * Short.BYTES;
            ShortVector.fromMemorySegment(H, s, off, LE).add((short) 1).intoMemorySegment(s, off, LE);
        }
    }

    private static void writeShorts(MemorySegment s, long from, long to) {
        ShortVector one = ShortVector.broadcast(H, (short) 1);
        for (long i = from; i < to; i += H.length()) {
            one.intoMemorySegment(s, i * Short.BYTES, LE);
        }
    }
}
