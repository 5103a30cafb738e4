package dev.fusedstep.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A shared library that was looked for: either loaded (where from, and its symbols) or not
 * found (and everywhere it was looked for). Looking never throws, so a machine without the
 * library gets a sentence to print instead of a stack trace.
 */
public final class NativeLibrary {

    private final String name;
    private final String location;
    private final SymbolLookup symbols;
    private final String missingReason;

    private NativeLibrary(String name, String location, SymbolLookup symbols, String missingReason) {
        this.name = name;
        this.location = location;
        this.symbols = symbols;
        this.missingReason = missingReason;
    }

    /**
     * Loads the first of {@code files} that exists and loads, else the first of {@code sonames}
     * the system loader finds on its own search path (LD_LIBRARY_PATH, ldconfig's cache). The
     * library stays loaded for the life of the JVM, as a JNI library would.
     */
    public static NativeLibrary load(String name, List<Path> files, List<String> sonames) {
        Set<String> absentFolders = new LinkedHashSet<>();
        List<String> unloadable = new ArrayList<>();
        for (Path file : files) {
            if (!Files.exists(file)) {
                absentFolders.add(String.valueOf(file.toAbsolutePath().getParent()));
                continue;
            }
            try {
                return new NativeLibrary(name, file.toString(), SymbolLookup.libraryLookup(file, Arena.global()), null);
            } catch (IllegalArgumentException e) {
                unloadable.add(file + " (" + e.getMessage() + ")");
            }
        }
        for (String soname : sonames) {
            try {
                return new NativeLibrary(name, soname + " on the system loader's path",
                        SymbolLookup.libraryLookup(soname, Arena.global()), null);
            } catch (IllegalArgumentException e) {
                // Not on the loader's path either; reported below with the rest.
            }
        }
        List<String> parts = new ArrayList<>();
        if (!absentFolders.isEmpty()) {
            parts.add("in " + String.join(", ", absentFolders));
        }
        if (!sonames.isEmpty()) {
            parts.add("by the system loader as " + String.join(", ", sonames));
        }
        String reason = name + " not found " + String.join(", nor ", parts);
        if (!unloadable.isEmpty()) {
            reason += "; present but not loadable: " + String.join(", ", unloadable);
        }
        return new NativeLibrary(name, null, null, reason);
    }

    /** A library that is not there, for {@code reason} (e.g. an override that points at nothing). */
    public static NativeLibrary missing(String name, String reason) {
        return new NativeLibrary(name, null, null, reason);
    }

    /** The library's short name, e.g. {@code "libcudart"}. */
    public String name() {
        return name;
    }

    public boolean isLoaded() {
        return symbols != null;
    }

    /** Where it was loaded from; empty if it was not found. */
    public Optional<String> location() {
        return Optional.ofNullable(location);
    }

    /** Why it is not loaded; empty if it is. */
    public Optional<String> missingReason() {
        return Optional.ofNullable(missingReason);
    }

    /** The address of {@code symbol}; empty if the library is missing or lacks it. */
    public Optional<MemorySegment> find(String symbol) {
        return symbols == null ? Optional.empty() : symbols.find(symbol);
    }

    /** A downcall handle for {@code symbol}; empty if the library is missing or lacks it. */
    public Optional<MethodHandle> downcall(String symbol, FunctionDescriptor descriptor) {
        return find(symbol).map(address -> Linker.nativeLinker().downcallHandle(address, descriptor));
    }

    /** The error for calling {@code symbol} when {@link #downcall} found nothing: says why. */
    public IllegalStateException unavailable(String symbol) {
        return new IllegalStateException(symbol + ": " + (symbols == null ? missingReason
                : "not found in " + name + " at " + location + ", expected a library that exports it"));
    }

    @Override
    public String toString() {
        return isLoaded() ? name + " at " + location : missingReason;
    }
}
