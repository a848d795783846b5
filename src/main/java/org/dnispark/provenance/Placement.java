package org.dnispark.provenance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Marks a settings component that says where or how a run happens (output folder, output policy, Spark master,
 * storage settings, model cache) but not what it computes. Every other component of a settings record is part of
 * the run's {@link RunIdentity} and so of its resume fingerprint: a new setting is in the identity unless it is
 * marked here, so it cannot be forgotten.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@JacksonAnnotationsInside
@JsonIgnore
public @interface Placement {
}
