/**
 * The Spark jobs ({@link org.dnispark.jobs.TransitionJob}, {@link org.dnispark.jobs.SweepJob}), each a
 * {@code run(spark, settings)} that the CLI and the tests call. The driver side reads as a short sequence
 * ({@link org.dnispark.jobs.ImageJob}): plan the run (models and network, before any image), list the inputs in Spark
 * tasks, broadcast the weights (bounded by a budget), map the partitions through inference, write the reports,
 * publish. The sweep's search ({@link org.dnispark.jobs.SearchRun}) replaces the one inference pass with one stage
 * per point over images decoded once. Executors receive one small {@link org.dnispark.jobs.ExecutorPlan} and stream their images in bounded
 * blocks ({@link org.dnispark.jobs.PartitionRunner}); results are written by the executors, and the driver collects
 * one row per coefficient, never one per image.
 */
package org.dnispark.jobs;
