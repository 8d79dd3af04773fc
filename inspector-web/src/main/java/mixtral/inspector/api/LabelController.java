package mixtral.inspector.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Arrays;
import java.util.List;
import mixtral.inspector.api.Dto.LabelRequest;
import mixtral.inspector.api.Dto.TraceLabel;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Labelling;
import mixtral.inspector.engine.NotFoundException;

/** Labels on traces ({@code PUT/DELETE /api/traces/{id}/label}) and the paper's Figure 7 over them. */
public final class LabelController {
    private final Labelling labelling;
    private final ObjectMapper json;

    public LabelController(Inspector inspector, ObjectMapper json) {
        this.labelling = new Labelling(inspector);
        this.json = json;
    }

    public void label(Context ctx) {
        LabelRequest req = StrictJson.body(ctx, json, LabelRequest.class);
        String id = ctx.pathParam("id");
        ctx.json(new TraceLabel(id, labelling.label(id, req.label())));
    }

    public void unlabel(Context ctx) {
        String id = ctx.pathParam("id");
        if (!labelling.unlabel(id)) {
            throw new NotFoundException("trace '" + id + "' has no label");
        }
        ctx.status(HttpStatus.NO_CONTENT);
    }

    /** {@code ?labels=fr,de} (comma-separated, in the order to draw), or every label without the parameter. */
    public void figure7(Context ctx) {
        String labels = ctx.queryParam("labels");
        List<String> asked = labels == null ? null
                : labels.isEmpty() ? List.of() : Arrays.asList(labels.split(",", -1));
        ctx.json(labelling.figure7(asked));
    }
}
