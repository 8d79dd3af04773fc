package mixtral.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The two calls of the Hugging Face hub that downloading a model needs: list a repository's files at a revision
 * ({@code GET /api/models/{repo}/revision/{rev}?blobs=true}) and read one file from an offset
 * ({@code GET /{repo}/resolve/{rev}/{file}} with a {@code Range} header). Gated repositories need a token.
 */
final class HubClient {
    private final URI endpoint;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)     // file bytes come from a CDN the hub redirects to
            .connectTimeout(Duration.ofSeconds(30))
            .build();

    HubClient(URI endpoint, String token) {
        this.endpoint = endpoint;
        this.token = token;
    }

    /** The repository's files at {@code revision}, with sizes and checksums, and the commit the revision names. */
    Listing list(String repo, String revision) {
        URI uri = endpoint.resolve("/api/models/" + repo + "/revision/" + encode(revision) + "?blobs=true");
        HttpResponse<String> r = send(request(uri).build(), HttpResponse.BodyHandlers.ofString(), repo);
        check(r.statusCode(), repo, null);
        try {
            JsonNode json = new ObjectMapper().readTree(r.body());
            List<RepoFile> files = new ArrayList<>();
            for (JsonNode s : json.path("siblings")) {
                JsonNode lfs = s.path("lfs");
                files.add(new RepoFile(s.path("rfilename").asText(), lfs.isObject() ? lfs.path("size").asLong() : s.path("size").asLong(-1),
                        lfs.isObject() ? lfs.path("sha256").asText(null) : null,
                        lfs.isObject() ? null : s.path("blobId").asText(null)));
            }
            return new Listing(json.path("sha").asText(revision), files);
        } catch (IOException e) {
            throw new DownloadException(repo + ": the hub's file list is not valid JSON (" + e.getMessage() + ")");
        }
    }

    record Listing(String commit, List<RepoFile> files) {}

    /** An open stream of the file's bytes from {@code offset}; {@code partial} says whether the server honoured it. */
    Body open(String repo, String commit, RepoFile file, long offset) {
        URI uri = endpoint.resolve("/" + repo + "/resolve/" + encode(commit) + "/" + file.name());
        HttpRequest.Builder b = request(uri);
        if (offset > 0) {
            b.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> r = send(b.build(), HttpResponse.BodyHandlers.ofInputStream(), file.name());
        if (r.statusCode() == 416) {
            return new Body(InputStream.nullInputStream(), true);
        }
        check(r.statusCode(), repo, file.name());
        return new Body(r.body(), r.statusCode() == 206);
    }

    record Body(InputStream in, boolean partial) {}

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("User-Agent", "mixtral-reference/0.1");
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler, String what) {
        try {
            return http.send(req, handler);
        } catch (IOException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new DownloadException(what + ": cannot reach " + endpoint + " (" + why + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadException(what + ": interrupted");
        }
    }

    private void check(int status, String repo, String file) {
        String what = file == null ? repo : repo + "/" + file;
        switch (status) {
            case 200, 206 -> { }
            case 401, 403 -> throw new DownloadException(what + ": access denied (HTTP " + status + "); the repository may be "
                    + "gated: accept its terms on the hub, then pass --token or set HF_TOKEN");
            case 404 -> throw new DownloadException(what + ": not found on " + endpoint + " (check the name and --revision)");
            default -> throw new DownloadException(what + ": the hub answered HTTP " + status);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
