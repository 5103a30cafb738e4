package dev.fusedstep.internal.vectorization;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Decides once per JVM whether the CPU kernels may use the Vector API, after the model of
 * Lucene's {@code org.apache.lucene.internal.vectorization.VectorizationProvider}: if
 * {@code jdk.incubator.vector} is not in the module graph (or the JVM cannot run it well),
 * it logs the reason once and hands out the scalar provider, and everything still works.
 *
 * <p>The Panama provider is created reflectively, so no class that names a vector type is
 * loaded unless the module is there. {@code -Dfusedstep.vectorization=false} forces the
 * scalar kernels (for comparisons through the same API).
 */
public abstract sealed class VectorizationProvider permits DefaultVectorizationProvider, PanamaVectorizationProvider {

    private static final Logger LOG = Logger.getLogger(VectorizationProvider.class.getName());

    VectorizationProvider() {}

    /** Whether the vector loops may be called. */
    public abstract boolean vectorized();

    /** Float lanes per vector register the vector loops use (1 for the scalar provider). */
    public abstract int floatLanes();

    /** One line for {@code fusedstep info}: what is in use and, if scalar, why. */
    public abstract String describe();

    /** The provider for this JVM. */
    public static VectorizationProvider getInstance() {
        return Holder.INSTANCE;
    }

    /** The scalar provider, whatever the JVM offers (tests compare it with {@link #getInstance()}). */
    public static VectorizationProvider scalar() {
        return new DefaultVectorizationProvider("scalar kernels requested");
    }

    // A holder class keeps the lookup lazy and free of class-initialization deadlocks.
    private static final class Holder {
        static final VectorizationProvider INSTANCE = lookup();
    }

    static VectorizationProvider lookup() {
        if (!Boolean.parseBoolean(System.getProperty("fusedstep.vectorization", "true"))) {
            return fallback("scalar kernels forced by -Dfusedstep.vectorization=false");
        }
        Optional<Module> vectorModule = Optional.ofNullable(VectorizationProvider.class.getModule().getLayer())
                .orElse(ModuleLayer.boot())
                .findModule("jdk.incubator.vector");
        if (vectorModule.isEmpty()) {
            return fallback("jdk.incubator.vector is not in the module graph; pass"
                    + " '--add-modules jdk.incubator.vector' to use the Vector API kernels");
        }
        // Named-module users need the read edge; on the class path this is a no-op.
        vectorModule.ifPresent(VectorizationProvider.class.getModule()::addReads);
        try {
            var lookup = MethodHandles.lookup();
            var cls = lookup.findClass(VectorizationProvider.class.getPackageName() + ".PanamaVectorizationProvider");
            var ctor = lookup.findConstructor(cls, MethodType.methodType(void.class));
            try {
                VectorizationProvider panama = (VectorizationProvider) ctor.invoke();
                LOG.fine(panama.describe());
                return panama;
            } catch (UnsupportedOperationException e) {
                return fallback("the Vector API is present but not usable here: " + e.getMessage());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("PanamaVectorizationProvider is missing from the fusedstep-kernels jar", e);
        }
    }

    private static VectorizationProvider fallback(String reason) {
        LOG.warning("fusedstep: using scalar CPU kernels: " + reason);
        return new DefaultVectorizationProvider(reason);
    }
}
