/**
 * Provenance of every command in one shape: the {@link org.dnispark.provenance.RunIdentity} (what determines a run's
 * results; its SHA-256 is the resume fingerprint), the {@link org.dnispark.provenance.RunManifest} built around it,
 * software {@link org.dnispark.provenance.Versions} and the git commit. No Spark.
 */
package org.dnispark.provenance;
