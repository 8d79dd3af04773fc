package mixtral.inspector.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers every answer carries, the page's and Jetty's own error pages included. The page is one HTML file, its
 * stylesheet and its ES modules, and D3 from the webjar, all from this server: the policy allows exactly that
 * ({@code data:} only for the empty favicon), so injected markup could neither run a script nor load anything.
 */
public final class SecurityHeaders {
    /** {@code 'self'} for what the page loads; nothing inline, nothing from elsewhere, no framing. */
    public static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    /** Name to value, in the order they are sent. */
    public static final Map<String, String> ALL = headers();

    private SecurityHeaders() {}

    private static Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Cross-Origin-Resource-Policy", "same-origin");
        return java.util.Collections.unmodifiableMap(h);
    }
}
