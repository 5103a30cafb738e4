package dev.fusedstep.checkpoint;

import dev.fusedstep.io.Json;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of a checkpoint's parsed JSON metadata. A value of the wrong type is a damaged or
 * foreign file: the exception names where in the file ({@code where}), what it found and what
 * was expected.
 */
final class Fields {
    private Fields() {}

    static List<?> list(Object v, String where) throws CheckpointException {
        if (v instanceof List<?> l) {
            return l;
        }
        throw wrong(v, where, "an array");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object v, String where) throws CheckpointException {
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw wrong(v, where, "an object");
    }

    static long integer(Object v, String where) throws CheckpointException {
        if (v instanceof Long l) {
            return l;
        }
        throw wrong(v, where, "an integer");
    }

    /** A number, or one of the strings {@code "inf"} and {@code "-inf"} (JSON has no infinities). */
    static double number(Object v, String where) throws CheckpointException {
        if (v instanceof Long || v instanceof Double) {
            return ((Number) v).doubleValue();
        }
        if ("inf".equals(v)) {
            return Double.POSITIVE_INFINITY;
        }
        if ("-inf".equals(v)) {
            return Double.NEGATIVE_INFINITY;
        }
        throw wrong(v, where, "a number");
    }

    /** How {@link #number} reads it back: infinities as strings. */
    static Object encode(double v) {
        return v == Double.POSITIVE_INFINITY ? "inf" : v == Double.NEGATIVE_INFINITY ? "-inf" : (Object) v;
    }

    static boolean bool(Object v, String where) throws CheckpointException {
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrong(v, where, "true or false");
    }

    static String string(Object v, String where) throws CheckpointException {
        if (v instanceof String s) {
            return s;
        }
        throw wrong(v, where, "a string");
    }

    private static CheckpointException wrong(Object v, String where, String expected) {
        return new CheckpointException(where + " is " + (v == null ? "missing or null" : Json.typeName(v)) + ", expected " + expected);
    }
}
