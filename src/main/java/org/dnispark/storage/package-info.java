/**
 * Storage through Hadoop FileSystem URIs (local, s3a, hdfs): atomic file writes, models read by reference with their
 * SHA-256 digests, and run outputs that are published whole or not at all.
 */
package org.dnispark.storage;
