package org.dnispark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The secret masker (issue 28): keys in camel case and credential variables beyond the AWS ones, passwords inside
 * URLs, and every encoding a secret can take in an output (raw, JSON-escaped, URL-encoded).
 */
class RedactionTest {
    @Test
    void keysInEveryCaseAndSpelling() {
        for (String key : List.of("fs.s3a.secretKey", "fs.s3a.secret.key", "apikey", "ApiKey", "fs.oss.accessKeyId",
                "client_secret", "DB_PASSWORD", "PGPASSWORD", "MYSQL_PWD", "AZURE_STORAGE_CONNECTION_STRING",
                "SENTRY_DSN", "github-token", "fs.azure.sas.token")) {
            assertTrue(Redaction.secretKey(key.replace('_', '.')), key);
        }
        for (String key : List.of("dni.sweep.metric", "dni.align.max-passes", "fs.s3a.aws.credentials.provider",
                "fs.s3a.endpoint", "dni.interpolate.layout", "keep-going", "monkey.name")) {
            assertFalse(Redaction.secretKey(key), key);
        }
    }

    @Test
    void credentialVariablesAndPasswordsInUrls() {
        Map<String, String> env = Map.of("DB_PASSWORD", "db-pass-77", "PGPASSWORD", "pg-pass-88",
                "AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountKey=abcdef123456",
                "DATABASE_URL", "postgres://dni:url-pass-99@db.example:5432/runs", "HOME", "/home/someone");
        var secrets = Redaction.environmentSecrets(env);
        assertTrue(secrets.containsAll(List.of("db-pass-77", "pg-pass-88", "url-pass-99",
                "DefaultEndpointsProtocol=https;AccountKey=abcdef123456")), secrets.toString());
        assertFalse(secrets.contains("/home/someone"));
        assertEquals("url-pass-99", Redaction.urlPassword("postgres://dni:url-pass-99@db.example:5432/runs"));
        assertEquals(null, Redaction.urlPassword("s3a://bucket/path@2x"));
    }

    @Test
    void everyEncodingOfASecretIsMasked() {
        String secret = "quo\"te\\back slash&more";
        com.typesafe.config.Config c = ConfigLoader.load(List.of(
                "dni.spark.hadoop.\"fs.s3a.secretKey\"=\"" + secret.replace("\\", "\\\\").replace("\"", "\\\"") + "\"",
                "dni.spark.app-name=\"postgres://u:pw-in-url-12@h/db\""));
        String rendered = Redaction.render(c, Map.of());
        assertFalse(rendered.contains("pw-in-url-12"), rendered);
        String text = "raw " + secret + " json " + Redaction.jsonEscaped(secret) + " url "
                + URLEncoder.encode(secret, StandardCharsets.UTF_8) + " url20 "
                + URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20");
        String masked = Redaction.mask(text);
        assertEquals("raw *** json *** url *** url20 ***", masked);
    }
}
