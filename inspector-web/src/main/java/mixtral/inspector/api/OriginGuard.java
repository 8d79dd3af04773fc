package mixtral.inspector.api;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Keeps web pages of other sites from driving the inspector through the browser of the person using it. The browser
 * would send their requests to 127.0.0.1 like the page's own; what tells them apart:
 * <ul>
 * <li>{@code Host} must name this server: {@code 127.0.0.1}, {@code localhost} or {@code [::1]}, or the {@code --host}
 *     it was started with, at the port the request came in on. A page that rebinds its own domain name to
 *     127.0.0.1 (DNS rebinding) sends its domain name here and is refused.</li>
 * <li>{@code Origin}, which browsers send with every cross-origin request and every POST, must be this server as the
 *     page knows it: {@code http://} and the same Host.</li>
 * <li>{@code Sec-Fetch-Site}, which browsers send with every request, must not say {@code cross-site} or
 *     {@code same-site} for an {@code /api} path: an image tag on another page cannot start a model run.</li>
 * </ul>
 * A client without these headers (curl, a script) needs only the Host, which it sends. Refusals are 403 with one line.
 */
public final class OriginGuard {
    private final Set<String> names = new LinkedHashSet<>(Set.of("127.0.0.1", "localhost", "[::1]"));
    private final boolean wildcard;

    /**
     * @param host the address the server was told to listen on; when it is a wildcard ({@code 0.0.0.0}, {@code ::}),
     *             the address a request arrived at, as an IP literal, names this server too
     */
    public OriginGuard(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        names.add(h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h);
        wildcard = isWildcard(h);
    }

    /** The before-handler: throws a 403 with the reason, or lets the request through. */
    public void check(Context ctx) {
        String reason = refusal(ctx.path(), ctx.header("Host"), ctx.header("Origin"), ctx.header("Sec-Fetch-Site"),
                ctx.req().getLocalAddr(), ctx.req().getLocalPort());
        if (reason != null) {
            throw new HttpResponseException(HttpStatus.FORBIDDEN, reason, Map.of());
        }
    }

    /** Why a request with these headers, arriving at {@code localAddress:localPort}, is refused; null if it is not. */
    String refusal(String path, String host, String origin, String fetchSite, String localAddress, int localPort) {
        String here = "http://127.0.0.1:" + localPort + "/";
        if (host == null || host.isBlank()) {
            return "no Host header; this server answers requests for " + here + " and the like";
        }
        if (!namesThisServer(host.trim().toLowerCase(Locale.ROOT), localAddress, localPort)) {
            return "Host '" + host.trim() + "' is not this server; open " + here
                    + " (pages of other sites may not use the inspector)";
        }
        if (origin != null && !origin.trim().equalsIgnoreCase("http://" + host.trim())) {
            return "Origin '" + origin.trim() + "' is not this server (http://" + host.trim()
                    + "); pages of other sites may not use the inspector";
        }
        if (path.startsWith("/api/") && fetchSite != null
                && (fetchSite.equalsIgnoreCase("cross-site") || fetchSite.equalsIgnoreCase("same-site"))) {
            return "a request from another site (Sec-Fetch-Site: " + fetchSite + "); only the inspector's own page"
                    + " may use the API";
        }
        return null;
    }

    private boolean namesThisServer(String host, String localAddress, int localPort) {
        int colon = host.lastIndexOf(':');
        boolean hasPort = colon > host.lastIndexOf(']');
        String name = hasPort ? host.substring(0, colon) : host;
        String port = hasPort ? host.substring(colon + 1) : "80";
        if (!port.equals(Integer.toString(localPort))) {
            return false;
        }
        return names.contains(name) || (wildcard && sameAddress(name, localAddress));
    }

    /**
     * Whether {@code name} is the IP address the request arrived at. A name is never looked up, since that is what
     * rebinding abuses: IPv4 addresses compare in their dotted form, and a bracketed IPv6 literal is only parsed.
     */
    private static boolean sameAddress(String name, String localAddress) {
        if (localAddress == null) {
            return false;
        }
        String local = localAddress.toLowerCase(Locale.ROOT);
        if (!local.contains(":")) {
            return name.equals(local);
        }
        if (!name.startsWith("[")) {
            return false;
        }
        try {
            return InetAddress.getByName(name).equals(InetAddress.getByName(local.startsWith("[") ? local
                    : "[" + local + "]"));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0");
    }
}
