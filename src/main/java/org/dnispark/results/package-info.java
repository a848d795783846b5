/**
 * What a job's results files hold, as types: the job writes its results through them and the report reads them back
 * through the same types, so writer and reader cannot drift apart. No Spark and no engine here: a report runs
 * without either. {@link org.dnispark.results.SweepResults} is a sweep's {@code summary.json}.
 */
package org.dnispark.results;
