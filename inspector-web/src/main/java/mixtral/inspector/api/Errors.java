package mixtral.inspector.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import mixtral.BadInputException;
import mixtral.inspector.analysis.IncompleteTraceException;
import mixtral.inspector.api.Dto.ApiError;
import mixtral.inspector.engine.BusyException;
import mixtral.inspector.engine.NotFoundException;
import mixtral.inspector.engine.TooLongException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps every failure to a JSON {@link ApiError} with a 4xx status and one line; never a stack trace. */
public final class Errors {
    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {}

    /** Registers the handlers; {@code maxRequestBytes} goes into the message of a 413 for a body that is too large. */
    public static void register(RoutesConfig routes, int maxRequestBytes) {
        routes.exception(BadInputException.class, (e, ctx) -> send(ctx, 400, e.getMessage()));
        routes.exception(NotFoundException.class, (e, ctx) -> send(ctx, 404, e.getMessage()));
        routes.exception(IncompleteTraceException.class, (e, ctx) -> send(ctx, 422, e.getMessage()));
        routes.exception(TooLongException.class, (e, ctx) -> send(ctx, 413, e.getMessage()));
        routes.exception(BusyException.class, (e, ctx) -> {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
            send(ctx, 429, e.getMessage());
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> send(ctx, e.getStatus(), switch (e.getStatus()) {
            case 413 -> "request body too large: this server accepts at most " + maxRequestBytes + " bytes";
            case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path() + "; it takes "
                    + String.join(", ", e.getDetails().values());
            default -> e.getMessage();
        }));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            send(ctx, 500, "internal error: " + e.getClass().getSimpleName() + " (see the server log)");
        });
        routes.error(404, "*", ctx -> {
            if (ctx.path().startsWith("/api/") && ctx.result() == null) {
                send(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
            }
        });
    }

    /** Jackson's message without line breaks and with {@code a.b.Outer$Record} shortened to {@code Record}. */
    static String oneLine(String message) {
        String first = message == null ? "" : message.lines().findFirst().orElse("");
        return first.replaceAll("[\\w.]+\\$(\\w+)", "$1");
    }

    static void send(Context ctx, int status, String message) {
        ctx.status(status).json(new ApiError(status, message));
    }
}
