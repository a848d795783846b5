/** The command-line entry point behind {@code jobs/dni}. */
package org.dnispark.cli;
