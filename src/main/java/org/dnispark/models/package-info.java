/**
 * Models by reference: {@link org.dnispark.models.ModelStore} finds a reference (a URI, an absolute path, or a relative
 * path under the working directory, then the model cache) and reads any supported format, regular files only, with
 * the SHA-256 of every file, refusing non-finite weights and empty models; {@link org.dnispark.models.ModelSet} is the
 * models of one command, loaded once and checked together (one kind of network, matching graphs and tensors), and
 * chooses the network they run in, running TorchScript only as {@link org.dnispark.models.ModelPolicy} allows. No
 * Spark.
 */
package org.dnispark.models;
