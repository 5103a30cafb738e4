package dev.fusedstep.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file so that a reader, or a process killed at any moment, sees either the old
 * file or the complete new one: the content goes to a temporary file in the same folder (same
 * file system, so the rename is atomic), is forced to the disk, renamed over the target with
 * {@code ATOMIC_MOVE}, and the folder is forced so that the rename itself survives a crash.
 */
final class AtomicFile {
    private AtomicFile() {}

    /** Writes the content into the open temporary file. */
    interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    static void replace(Path target, Content content) throws IOException {
        Path file = target.toAbsolutePath();
        Path folder = file.getParent();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("path: got " + target + ", a folder; expected a file name");
        }
        Path temp = null;
        FileChannel ch = null;
        while (ch == null) {
            // Named after the target and hidden, so that a temp file left by a killed process says whose it was.
            temp = folder.resolve("." + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException taken) {
                // another writer's name: draw again
            }
        }
        boolean moved = false;
        try {
            try (FileChannel open = ch) {
                content.writeTo(open);
                open.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
        forceFolder(folder);
    }

    private static void forceFolder(Path folder) throws IOException {
        // Linux and macOS open a folder for reading and fsync it; where a folder cannot be opened
        // (Windows) the rename is still atomic and NTFS journals it.
        FileChannel dir;
        try {
            dir = FileChannel.open(folder, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException cannotOpenFolder) {
            return;
        }
        try (dir) {
            dir.force(true);
        }
    }
}
