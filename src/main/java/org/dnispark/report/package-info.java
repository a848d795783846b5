/**
 * {@code report.html}: a self-contained page per run (sweep, transition, correlate) and for several runs together,
 * made only from the runs' files. {@link org.dnispark.report.ReportPage} lays it out,
 * {@link org.dnispark.report.Charts} draws its plots with JFreeChart as inline SVG, and
 * {@link org.dnispark.report.RunFolder} reads a run with limits, since a report may be made from folders nobody
 * vouches for.
 */
package org.dnispark.report;
