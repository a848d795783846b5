package org.dnispark.jobs;

import java.io.Serializable;

/** What a task returns for one image: a result row, or the reason the image was rejected. */
final class Outcome<R extends Serializable> implements Serializable {
    private static final long serialVersionUID = 1L;

    final R row;
    final Rejection rejection;

    private Outcome(R row, Rejection rejection) {
        this.row = row;
        this.rejection = rejection;
    }

    static <R extends Serializable> Outcome<R> of(R row) {
        return new Outcome<>(row, null);
    }

    static <R extends Serializable> Outcome<R> rejected(Rejection r) {
        return new Outcome<>(null, r);
    }
}
