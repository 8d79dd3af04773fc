package mixtral.inspector.api;

import io.javalin.http.Context;
import mixtral.BadInputException;

/**
 * Refuses a URL with a {@code %} that two hexadecimal digits do not follow ({@code %u0041}, {@code %zz}). Jetty lets
 * some through, and then Javalin's decoding of a path parameter fails (a 500) and a query parameter reads as missing.
 */
public final class PercentEncoding {
    private PercentEncoding() {}

    /** The before-handler: a 400 naming the bad escape, or nothing. */
    public static void check(Context ctx) {
        String query = ctx.req().getQueryString();
        String url = ctx.req().getRequestURI() + (query == null ? "" : "?" + query);
        int bad = firstBadEscape(url);
        if (bad >= 0) {
            throw new BadInputException("malformed URL: '" + url.substring(bad, Math.min(url.length(), bad + 3))
                    + "' at character " + bad + "; a '%' must be followed by two hexadecimal digits");
        }
    }

    /** The index of the first {@code %} not followed by two hexadecimal digits, or -1. */
    static int firstBadEscape(String url) {
        for (int i = url.indexOf('%'); i >= 0; i = url.indexOf('%', i + 1)) {
            if (i + 2 >= url.length() || Character.digit(url.charAt(i + 1), 16) < 0
                    || Character.digit(url.charAt(i + 2), 16) < 0) {
                return i;
            }
        }
        return -1;
    }
}
