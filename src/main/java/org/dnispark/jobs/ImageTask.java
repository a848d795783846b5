package org.dnispark.jobs;

import java.io.Serializable;

/** One image to process: its name (file name without extension), input URI and optional ground-truth URI. */
final class ImageTask implements Serializable {
    private static final long serialVersionUID = 1L;

    final String name;
    final String inputUri;
    final String groundTruthUri;

    ImageTask(String name, String inputUri, String groundTruthUri) {
        this.name = name;
        this.inputUri = inputUri;
        this.groundTruthUri = groundTruthUri;
    }

    static String stem(String uri) {
        String file = uri.substring(uri.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}
