package dev.fusedstep.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The golden case files copied into test resources, optionally narrowed by {@code -Dgolden.cases=a,b}. */
final class GoldenCases {
    private GoldenCases() {}

    static final String PROPERTY = "golden.cases";

    static Path dir() {
        URL url = GoldenCases.class.getResource("/golden");
        if (url == null) {
            throw new IllegalStateException("test resource folder /golden is missing from the test classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Case files, restricted to the names in {@code -Dgolden.cases} when it is set. */
    static List<Path> selected() {
        List<Path> all;
        try {
            all = Conformance.caseFiles(dir());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        String filter = System.getProperty(PROPERTY, "").trim();
        if (filter.isEmpty()) {
            return all;
        }
        Set<String> wanted = Arrays.stream(filter.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
        List<Path> chosen = all.stream().filter(p -> wanted.contains(caseName(p))).toList();
        Set<String> found = chosen.stream().map(GoldenCases::caseName).collect(Collectors.toSet());
        if (!found.containsAll(wanted)) {
            Set<String> missing = wanted.stream().filter(w -> !found.contains(w)).collect(Collectors.toSet());
            throw new IllegalArgumentException(PROPERTY + ": got unknown case names " + missing + ", expected some of "
                    + all.stream().map(GoldenCases::caseName).toList());
        }
        return chosen;
    }

    static String caseName(Path p) {
        String f = p.getFileName().toString();
        return f.substring(0, f.length() - Conformance.SUFFIX.length());
    }
}
