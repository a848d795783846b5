package org.dnispark.formats;

/** A malformed, hostile or unsupported weight file; the message names the file and what was expected. */
public final class FormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
