/**
 * Models by reference: {@link org.dnispark.models.ModelStore} finds a reference (a URI, an absolute path, or a relative
 * path under the working directory, then the model cache) and reads any supported format with the SHA-256 of every
 * file; {@link org.dnispark.models.ModelSet} is the models of one command, loaded once and checked together (one kind
 * of network, matching graphs and tensors), and chooses the network they run in. No Spark.
 */
package org.dnispark.models;
