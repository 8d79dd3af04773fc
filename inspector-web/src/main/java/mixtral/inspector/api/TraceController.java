package mixtral.inspector.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mixtral.BadInputException;
import mixtral.inspector.api.Dto.TraceCreated;
import mixtral.inspector.api.Dto.TraceRequest;
import mixtral.inspector.engine.Inspector;

/** The {@code /api/traces} endpoints: HTTP in, {@link Inspector} calls, JSON out. */
public final class TraceController {
    private final Inspector inspector;
    private final ObjectMapper json;

    /** {@code json} reads request bodies; it is the server's mapper, set up by {@link StrictJson#configure}. */
    public TraceController(Inspector inspector, ObjectMapper json) {
        this.inspector = inspector;
        this.json = json;
    }

    public void create(Context ctx) {
        TraceRequest req = StrictJson.body(ctx, json, TraceRequest.class);
        if ((req.prompt() == null) == (req.tokens() == null)) {
            throw new BadInputException("give exactly one of \"prompt\" (text) and \"tokens\" (a list of ids)");
        }
        if (req.prompt() != null && req.prompt().isBlank()) {
            throw new BadInputException("the prompt is empty: type some text");
        }
        int generate = req.generate() == null ? 0 : req.generate();
        Inspector.Created c = req.prompt() != null ? inspector.trace(req.prompt(), generate)
                : inspector.trace(ids(req.tokens()), generate);
        ctx.status(c.reused() ? HttpStatus.OK : HttpStatus.CREATED);
        ctx.header("Location", "/api/traces/" + c.id());
        ctx.json(new TraceCreated(c.id(), "/?trace=" + c.id(), c.text(), c.analysis().tokens(), c.generated(),
                c.reused(), c.analysis().nextTokens()));
    }

    public void summary(Context ctx) {
        ctx.json(inspector.summary(ctx.pathParam("id")));
    }

    public void token(Context ctx) {
        ctx.json(inspector.token(ctx.pathParam("id"), intParam("position", ctx.pathParam("position"))));
    }

    public void attention(Context ctx) {
        ctx.json(inspector.attention(ctx.pathParam("id"), intParam("layer", ctx.queryParam("layer")),
                intParam("head", ctx.queryParam("head"))));
    }

    public void download(Context ctx) throws IOException {
        String id = ctx.pathParam("id");
        Path file = inspector.traceFile(id);
        ctx.contentType("application/octet-stream");
        ctx.header("Content-Disposition", "attachment; filename=\"trace-" + id + ".safetensors\"");
        ctx.result(Files.newInputStream(file));
    }

    private static long[] ids(List<Long> tokens) {
        return tokens.stream().mapToLong(t -> {
            if (t == null) {
                throw new BadInputException("\"tokens\" must be a list of integers, not null");
            }
            return t;
        }).toArray();
    }

    static int intParam(String name, String value) {
        if (value == null) {
            throw new BadInputException("missing parameter '" + name + "'");
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new BadInputException(name + " must be an integer, got '" + value + "'");
        }
    }
}
