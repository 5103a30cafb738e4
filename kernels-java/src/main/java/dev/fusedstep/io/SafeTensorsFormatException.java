package dev.fusedstep.io;

import java.io.IOException;

/** A file that is not a valid safetensors file; the message names the file and, where one is at fault, the tensor. */
public final class SafeTensorsFormatException extends IOException {
    public SafeTensorsFormatException(String message) {
        super(message);
    }

    public SafeTensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
