/**
 * Storage through Hadoop FileSystem URIs (local, s3a, hdfs): atomic file writes of regular files, and run outputs
 * that are published whole or not at all ({@link org.dnispark.storage.RunOutput}), one run at a time per output
 * ({@link org.dnispark.storage.OutputLock}).
 */
package org.dnispark.storage;
