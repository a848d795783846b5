package org.dnispark;

/**
 * The credentials the object-storage tests give s3proxy and S3A. Fixed strings, so that jobs/scan-credentials.sh
 * can prove that no log, report or output of a test run contains them.
 */
public final class TestCredentials {
    public static final String ACCESS_KEY = "dni-test-access-7c1e52";
    public static final String SECRET_KEY = "dni-test-secret-4f9b0d8a61";

    private TestCredentials() {
    }
}
