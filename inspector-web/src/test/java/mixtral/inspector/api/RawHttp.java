package mixtral.inspector.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpTester;

/**
 * Sends an HTTP/1.1 request exactly as written, which {@code java.net.http} will not do for a malformed URL, a
 * forged Host or a missing one, and parses the answer with Jetty's own {@link HttpTester}.
 */
final class RawHttp {
    private RawHttp() {}

    /**
     * {@code target} goes on the request line unchanged; {@code headers} are sent in order (a null Host value sends
     * none); a non-null {@code body} gets a Content-Length. The connection is closed after the one answer.
     */
    static HttpTester.Response send(int port, String method, String target, Map<String, String> headers, String body) {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        headers.forEach((k, v) -> {
            if (v != null) {
                head.append(k).append(": ").append(v).append("\r\n");
            }
        });
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            head.append("Content-Length: ").append(content.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            HttpTester.Response r = HttpTester.parseResponse(HttpTester.from(socket.getInputStream()));
            if (r == null) {
                throw new IllegalStateException(method + " " + target + ": the server closed without an answer");
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
