/**
 * What a job's results files hold, as types: the job writes its results through them and the report reads them back
 * through the same types, so writer and reader cannot drift apart. No Spark and no engine here: a report runs
 * without either. {@link org.dnispark.results.SweepResults} is a sweep's {@code summary.json} (with the alpha search's
{@link org.dnispark.results.SearchResults}),
 * {@link org.dnispark.results.TransitionResults} a transition's summary (in its manifest) and
 * {@link org.dnispark.results.CorrelationResults} a correlate run's {@code correlation.json}. Each reads the files
 * older builds wrote, as they meant them, and refuses a file without the parts it needs, naming the missing key.
 */
package org.dnispark.results;
