/**
 * The Spark jobs, kept thin: each has a {@code run(spark, settings)} that the CLI and the tests call. The driver
 * builds interpolated weights once per coefficient vector and broadcasts them; executors map image partitions
 * through inference with one predictor per partition.
 */
package org.dnispark.jobs;
