package dev.fusedstep.internal;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Argument checks run before a kernel writes anything (optimizer steps, casts, clipping). Every message names the argument, the
 * value found and what was expected.
 */
public final class TensorChecks {
    private TensorChecks() {}

    /** A tensor a CPU float32 kernel can take: not null, F32, on the CPU, memory still open. */
    public static void requireUsable(String name, Tensor t) {
        requireUsable(name, t, DType.F32);
    }

    /** A tensor on the CPU, its memory open, of one of the {@code allowed} dtypes. */
    public static void requireUsable(String name, Tensor t, DType... allowed) {
        requireDtype(name, t, allowed);
        if (!t.device().equals(Device.CPU)) {
            throw new IllegalArgumentException(name + ": got a tensor on " + t.device()
                    + ", expected cpu (every tensor of this call on the CPU)");
        }
        requireAlive(name, t.segment());
    }

    /**
     * A tensor on {@code device} of one of the {@code allowed} dtypes; host memory must still be
     * open. {@code like} names the tensor that fixed the device, for the message.
     */
    public static void requireUsableOn(String name, Tensor t, Device device, String like, DType... allowed) {
        requireDtype(name, t, allowed);
        if (!t.device().equals(device)) {
            throw onAnotherDevice(name, t, device, like);
        }
        if (device.equals(Device.CPU)) {
            requireAlive(name, t.segment());
        }
    }

    private static void requireDtype(String name, Tensor t, DType... allowed) {
        if (t == null) {
            throw new IllegalArgumentException(name + ": got null, expected a tensor");
        }
        if (!java.util.Arrays.asList(allowed).contains(t.dtype())) {
            throw new IllegalArgumentException(name + ": got dtype " + t.dtype() + ", expected "
                    + (allowed.length == 1 ? allowed[0] : "one of " + java.util.Arrays.toString(allowed)));
        }
    }

    /**
     * The one device all {@code tensors} (named {@code names[i]}) are on, for the APIs that run on
     * the CPU or a CUDA device: rejects null, and names the first tensor whose device differs from
     * the first one's. {@link Device#CPU} for no tensors.
     */
    public static Device requireOneDevice(String[] names, Tensor... tensors) {
        Device device = null;
        String first = null;
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (t == null) {
                throw new IllegalArgumentException(names[i] + ": got null, expected a tensor");
            }
            if (device == null) {
                device = t.device();
                first = names[i];
            } else if (!t.device().equals(device)) {
                throw onAnotherDevice(names[i], t, device, first);
            }
        }
        return device == null ? Device.CPU : device;
    }

    private static IllegalArgumentException onAnotherDevice(String name, Tensor t, Device device, String like) {
        return new IllegalArgumentException(name + ": got a tensor on " + t.device() + ", expected " + device
                + " like " + like + " (every tensor of one call on one device; DeviceArena.copy moves tensors)");
    }


    public static void requireAlive(String name, MemorySegment s) {
        if (!s.scope().isAlive()) {
            throw new IllegalStateException(name + ": its memory segment is closed, expected an open segment");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + ": its memory segment is confined to another thread,"
                    + " expected one this thread can access");
        }
    }

    /** Whether every segment may be handed to the worker threads (none is confined to the caller). */
    public static boolean shareable(dev.fusedstep.internal.cpu.WorkerPool pool, List<Buffer> buffers) {
        for (Buffer b : buffers) {
            if (!pool.shareable(b.segment())) {
                return false;
            }
        }
        return true;
    }

    public static void requireWritable(String name, Tensor t) {
        if (t.segment().isReadOnly()) {
            throw new IllegalArgumentException(name + ": got a read-only segment, expected a writable one");
        }
    }

    public static void requireSameLength(String name, Tensor t, String refName, Tensor ref) {
        if (t.numel() != ref.numel()) {
            throw new IllegalArgumentException(name + ": got " + t.numel() + " elements, expected "
                    + ref.numel() + " (the length of " + refName + ")");
        }
    }

    /** A named buffer for the overlap check; {@code written} buffers may overlap nothing. */
    public record Buffer(String name, MemorySegment segment, boolean written) {}

    /**
     * Rejects any overlap that involves a written buffer (read-only buffers such as gradients may
     * share memory with each other). Sorting by start keeps this O(n log n) for disjoint buffers.
     */
    public static void requireNoOverlap(List<Buffer> buffers) {
        // Heap segments are comparable only within one array; native ones within one address space.
        Map<Object, List<Buffer>> byBase = new IdentityHashMap<>();
        Object nativeKey = new Object();
        for (Buffer b : buffers) {
            if (b.segment().byteSize() == 0) {
                continue;
            }
            Object key = b.segment().heapBase().orElse(nativeKey);
            byBase.computeIfAbsent(key, k -> new ArrayList<>()).add(b);
        }
        for (List<Buffer> group : byBase.values()) {
            group.sort(Comparator.comparingLong(b -> b.segment().address()));
            for (int i = 0; i < group.size(); i++) {
                Buffer a = group.get(i);
                long end = a.segment().address() + a.segment().byteSize();
                for (int j = i + 1; j < group.size() && group.get(j).segment().address() < end; j++) {
                    Buffer b = group.get(j);
                    if (a.written() || b.written()) {
                        throw new IllegalArgumentException(b.name() + ": overlaps " + a.name()
                                + " in memory, expected separate buffers");
                    }
                }
            }
        }
    }
}
