/**
 * The command line behind {@code jobs/dni} ({@link org.dnispark.cli.Main}): each command reads its settings type, then
 * either starts a Spark job ({@code transition}, {@code sweep}) or runs without Spark ({@code interpolate},
 * {@code correlate}, {@code train}, {@code copy}, {@code bucket}). Exit code 2 for a usage or configuration error, 1
 * for a run-time failure.
 */
package org.dnispark.cli;
