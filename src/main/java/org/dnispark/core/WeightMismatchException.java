package org.dnispark.core;

import java.util.List;

/** Models that cannot be interpolated because their tensors do not correspond; the message lists every problem. */
public final class WeightMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public WeightMismatchException(String summary, List<String> problems) {
        super(summary + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
