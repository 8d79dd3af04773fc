package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.trace.Trace;

/** Trace files as request bodies: written by the one writer, posted as bytes with a chosen Content-Type. */
final class Uploads {
    private Uploads() {}

    static byte[] bytesOf(Trace trace, Path dir) {
        try {
            Path file = Files.createTempFile(dir, "upload-", ".safetensors");
            trace.write(file);
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HttpResponse<String> post(String origin, String path, byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> upload(String origin, byte[] body) {
        return post(origin, "/api/traces/import", body, "application/octet-stream");
    }

    /** The status and a one-line JSON error; returns the line. */
    static String assertError(int status, HttpResponse<String> r) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = ApiFixture.JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        String error = body.get("error").asText();
        assertFalse(error.isBlank() || error.contains("\n"), error);
        return error;
    }
}
