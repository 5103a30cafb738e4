package dev.fusedstep.cli;

import dev.fusedstep.checkpoint.CheckpointFile;
import dev.fusedstep.io.Json;
import dev.fusedstep.io.SafeTensors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code fusedstep inspect FILE}: what a checkpoint holds (groups and hyperparameters, storage,
 * tensors with dtype and shape, step counts, scheduler and scaler state) and whether its
 * checksum holds. Exit code 0 for an intact checkpoint, 1 for a damaged or unreadable one.
 */
final class InspectCommand {
    private InspectCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("inspect: got " + (args.length == 0 ? "no arguments" : String.join(" ", args))
                    + ", expected one checkpoint file: fusedstep inspect FILE");
            return 2;
        }
        Path path = Path.of(args[0]);
        try (CheckpointFile file = CheckpointFile.open(path)) {
            print(file, out);
            return file.checksum().ok() ? 0 : 1;
        } catch (IOException e) {
            err.println("inspect: " + e.getMessage());
            return 1;
        }
    }

    private static void print(CheckpointFile file, PrintStream out) throws IOException {
        SafeTensors t = file.tensors();
        out.println("checkpoint " + file.path() + " (" + t.bytes().byteSize() + " bytes, " + t.names().size() + " tensors)");
        out.println("format:    " + file.metadata().get("format"));
        out.println("checksum:  " + file.checksum().stored() + (file.checksum().ok()
                ? " (verified)" : " MISMATCH: the bytes give " + file.checksum().computed() + "; the file is damaged"));
        List<?> classes = list(file.json("optimizer"));
        List<?> groups = list(file.json("param_groups"));
        List<?> precisions = list(file.json("precision"));
        for (int g = 0; g < groups.size(); g++) {
            Map<?, ?> group = groups.get(g) instanceof Map<?, ?> m ? m : Map.of();
            out.println("group " + g + ": " + (g < classes.size() ? classes.get(g) : "?") + ", params "
                    + Json.write(group.get("params")) + (group.containsKey("param_names") ? " " + Json.write(group.get("param_names")) : ""));
            List<String> hyper = new ArrayList<>();
            group.forEach((k, v) -> {
                if (!k.equals("params") && !k.equals("param_names")) {
                    hyper.add(k + "=" + Json.write(v));
                }
            });
            out.println("  " + String.join(" ", hyper));
            if (g < precisions.size()) {
                out.println("  precision " + Json.write(precisions.get(g)));
            }
        }
        // tensors by parameter index, in index order; anything else after them
        Map<Integer, List<String>> byParam = new TreeMap<>();
        List<String> other = new ArrayList<>();
        for (String name : t.names()) {
            String[] parts = name.split("\\.", 3);
            if (parts.length == 3 && parts[0].equals("state") && parts[1].matches("\\d{1,9}")) {
                byParam.computeIfAbsent(Integer.parseInt(parts[1]), k -> new ArrayList<>()).add(name);
            } else {
                other.add(name);
            }
        }
        for (Map.Entry<Integer, List<String>> e : byParam.entrySet()) {
            out.println("param " + e.getKey() + ":");
            for (String name : e.getValue()) {
                out.println("  " + describe(t, name, name.substring(name.indexOf('.', 6) + 1)));
            }
        }
        for (String name : other) {
            out.println("  " + describe(t, name, name));
        }
        for (String key : List.of("scheduler", "scaler")) {
            Object v = file.json(key);
            out.println(String.format("%-10s %s", key + ":", v == null ? "(none)" : Json.write(v)));
        }
    }

    /** One tensor: its dtype and shape, and its value when it is a scalar (step counts, mu_product). */
    private static String describe(SafeTensors t, String name, String label) {
        long[] shape = t.shape(name);
        String s = String.format("%-16s %-4s %s", label, t.dtype(name), Arrays.toString(shape));
        if (shape.length == 0) {
            double v = t.toDoubleArray(name)[0];
            s += " = " + (v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v));
        }
        return s;
    }

    private static List<?> list(Object v) {
        return v instanceof List<?> l ? l : List.of();
    }
}
