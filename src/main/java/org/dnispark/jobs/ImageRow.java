package org.dnispark.jobs;

import java.io.Serializable;
import java.util.Map;

/** A job's result row for one image, encodable as JSON for resume checkpoints (never Java serialisation). */
interface ImageRow extends Serializable {
    String image();

    Map<String, Object> toJson();
}
