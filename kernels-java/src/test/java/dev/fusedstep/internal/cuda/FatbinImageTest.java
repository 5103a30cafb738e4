package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FatbinImageTest {

    @Test
    void overrideNamingNothingSaysSo() {
        FatbinImage f = FatbinImage.find("/nonexistent-fusedstep/fusedstep.fatbin", FatbinImageTest.class);
        assertFalse(f.found());
        assertTrue(f.source().startsWith("-Dfusedstep.fatbin.path names /nonexistent-fusedstep/fusedstep.fatbin,"
                + " which is not a file"), f.source());
    }

    @Test
    void overrideNamingAFileLoadsIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k.fatbin");
        Files.write(file, new byte[] {1, 2, 3});
        FatbinImage f = FatbinImage.find(file.toString(), FatbinImageTest.class);
        assertTrue(f.found());
        assertArrayEquals(new byte[] {1, 2, 3}, f.bytes());
    }

    /** kernels-java does not depend on fusedstep-native, so its own test classpath has no fatbin: the reason must say how to get one. */
    @Test
    void aMissingResourceExplainsHowToBuildIt() {
        FatbinImage f = FatbinImage.find(null, String.class);
        if (!f.found()) {
            assertTrue(f.source().contains("dev/fusedstep/native/fusedstep.fatbin"), f.source());
            assertTrue(f.source().contains("nvcc"), f.source());
        }
    }
}
