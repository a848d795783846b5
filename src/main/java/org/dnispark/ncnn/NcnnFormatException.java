package org.dnispark.ncnn;

/** A malformed or unsupported ncnn {@code .param} / {@code .bin} file. */
public final class NcnnFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NcnnFormatException(String message) {
        super(message);
    }
}
