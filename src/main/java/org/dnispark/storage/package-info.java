/**
 * Storage through Hadoop FileSystem URIs (local, s3a, hdfs): atomic file writes, and run outputs that are published
 * whole or not at all ({@link org.dnispark.storage.RunOutput}).
 */
package org.dnispark.storage;
