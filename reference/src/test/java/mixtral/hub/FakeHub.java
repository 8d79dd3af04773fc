package mixtral.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.evidence.Sha256;

/**
 * A local stand-in for the Hugging Face hub's two endpoints, serving one repository from memory. It can drop a
 * transfer part-way, serve corrupted bytes, ignore Range headers, or demand a token, to test what the downloader does.
 */
final class FakeHub implements AutoCloseable {
    static final String REPO = "acme/tiny-mixtral";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    final Map<String, byte[]> files = new LinkedHashMap<>();
    final List<String> ranges = new ArrayList<>();
    /** Bytes of file {@link #dropFile} to send before dropping the connection, once; -1 for never. */
    volatile long dropAfter = -1;
    volatile String dropFile;
    volatile String corrupt;
    volatile String token;
    private final HttpServer server;

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (token != null && !("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, "{\"error\":\"gated\"}".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/api/models/" + REPO + "/revision/main")) {
                send(ex, 200, listing());
            } else if (path.startsWith("/" + REPO + "/resolve/" + COMMIT + "/")) {
                serveFile(ex, path.substring(("/" + REPO + "/resolve/" + COMMIT + "/").length()));
            } else {
                send(ex, 404, "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void serveFile(HttpExchange ex, String name) throws IOException {
        byte[] data = files.get(name);
        if (data == null) {
            send(ex, 404, new byte[0]);
            return;
        }
        if (name.equals(corrupt)) {
            data = data.clone();
            data[data.length / 2] ^= 0x55;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null) {
            ranges.add(name + " " + range);
            from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
        }
        ex.sendResponseHeaders(range != null ? 206 : 200, data.length - from);
        OutputStream out = ex.getResponseBody();
        long drop = dropAfter;
        if (drop >= 0 && name.equals(dropFile)) {
            dropAfter = -1;
            out.write(data, from, (int) drop);
            out.flush();
            throw new IOException("dropped on purpose");   // closing now cuts the body short
        }
        out.write(data, from, data.length - from);
    }

    private byte[] listing() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode().put("id", REPO).put("sha", COMMIT);
        ArrayNode siblings = root.putArray("siblings");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            ObjectNode s = siblings.addObject().put("rfilename", f.getKey());
            byte[] data = f.getValue();
            if (f.getKey().endsWith(".safetensors") || f.getKey().endsWith(".model") || f.getKey().endsWith(".bin")) {
                s.put("size", data.length).put("blobId", "ignored-for-lfs");
                s.putObject("lfs").put("size", data.length).put("sha256", Sha256.of(data))
                        .put("pointerSize", 134);
            } else {
                s.put("size", data.length).put("blobId", gitBlobId(data));
            }
        }
        return json.writeValueAsBytes(root);
    }

    /** What git names a blob by: sha1 of "blob SIZE\0" and the content (sha1, so not {@link Sha256}'s job). */
    private static String gitBlobId(byte[] data) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-1");
            d.update(("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d.digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
