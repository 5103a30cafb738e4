package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import java.io.StringWriter;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java examples in README.md compile against the library and run as written. */
class ReadmeExampleTest {

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void readmeExamplesCompileAndRun(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> bodies = new ArrayList<>();
        Set<String> imports = new LinkedHashSet<>(List.of("import dev.fusedstep.Tensor;"));
        Matcher m = JAVA_BLOCK.matcher(readme);
        while (m.find()) {
            StringBuilder body = new StringBuilder();
            for (String line : m.group(1).split("\n")) {
                if (line.startsWith("import ")) {
                    imports.add(line.trim());
                } else {
                    body.append(line).append('\n');
                }
            }
            bodies.add(body.toString());
        }
        assertEquals(2, bodies.size(), "java blocks in README.md (the optimizer and the stateless entry)");

        // The examples leave the backward pass and the stateless call's tensors to the reader.
        String source = String.join("\n", imports) + """

                public class ReadmeExample {
                    static void backward(float[] w, float[] gw, Tensor b, Tensor gb) {
                        for (int i = 0; i < w.length; i++) gw[i] = w[i] - 0.5f;
                        for (int i = 0; i < b.numel(); i++) gb.setFloat(i, b.getFloat(i) + 0.25f);
                    }
                    public static void optimizer() {
                %s
                    }
                    public static void stateless(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq) {
                %s
                    }
                }
                """.formatted(bodies.get(0), bodies.get(1));
        Path src = dir.resolve("ReadmeExample.java");
        Files.writeString(src, source);

        String classPath = String.join(java.io.File.pathSeparator,
                location(Tensor.class), location(dev.fusedstep.bindings.CudaProbe.class));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        boolean ok = javac.getTask(messages, null, null,
                List.of("-d", dir.toString(), "-cp", classPath, "-Xlint:none"), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(src)).call();
        assertTrue(ok, "README.md's examples do not compile:\n" + messages + "\n" + source);

        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> example = loader.loadClass("ReadmeExample");
            example.getMethod("optimizer").invoke(null);
            float[] p = {1f, 2f};
            float[] g = {0.5f, -0.5f};
            example.getMethod("stateless", Tensor.class, Tensor.class, Tensor.class, Tensor.class)
                    .invoke(null, Tensor.of(p), Tensor.of(g), Tensor.of(new float[2]), Tensor.of(new float[2]));
            assertTrue(p[0] < 1f && p[1] > 2f, "the stateless step moved against the gradient: " + p[0] + ", " + p[1]);
        }
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
