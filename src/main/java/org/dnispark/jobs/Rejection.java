package org.dnispark.jobs;

import java.io.Serializable;

/** An input that could not be used (unreadable image, missing pair, wrong size), with the reason. */
public final class Rejection implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String image;
    public final String uri;
    public final String reason;

    Rejection(String image, String uri, String reason) {
        this.image = image;
        this.uri = uri;
        this.reason = reason;
    }
}
