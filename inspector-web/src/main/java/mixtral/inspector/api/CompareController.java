package mixtral.inspector.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mixtral.BadInputException;
import mixtral.compare.Tolerances;
import mixtral.config.MixtralConfig;
import mixtral.inspector.api.WhatIfDto.Drop;
import mixtral.inspector.api.WhatIfDto.Force;
import mixtral.inspector.api.WhatIfDto.Imported;
import mixtral.inspector.api.WhatIfDto.WhatIfCreated;
import mixtral.inspector.api.WhatIfDto.WhatIfRequest;
import mixtral.inspector.engine.Experiments;
import mixtral.inspector.engine.Inspector;
import mixtral.model.Intervention;
import mixtral.model.RouterPrecision;

/** {@code POST /api/traces/import}, {@code GET /api/compare} and {@code POST /api/traces/{id}/whatif}. */
public final class CompareController {
    static final String OCTET_STREAM = "application/octet-stream";

    private final Inspector inspector;
    private final Experiments experiments;
    private final ObjectMapper json;

    public CompareController(Inspector inspector, ObjectMapper json) {
        this.inspector = inspector;
        this.experiments = new Experiments(inspector);
        this.json = json;
    }

    public void importTrace(Context ctx) throws IOException {
        String type = ctx.contentType();
        if (type == null || !type.split(";")[0].trim().equalsIgnoreCase(OCTET_STREAM)) {
            throw new HttpResponseException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "send the trace file as "
                    + OCTET_STREAM + ", not " + (type == null ? "without a Content-Type" : "'" + type.trim() + "'"),
                    Map.of());
        }
        String id = experiments.importTrace(ctx.req().getInputStream(), ctx.req().getContentLengthLong());
        ctx.status(HttpStatus.CREATED);
        ctx.header("Location", "/api/traces/" + id);
        ctx.json(new Imported(id, "/?trace=" + id));
    }

    public void compare(Context ctx) {
        ctx.json(experiments.compare(required(ctx, "a"), required(ctx, "b"), tolerances(ctx)));
    }

    public void whatIf(Context ctx) {
        WhatIfRequest req = StrictJson.body(ctx, json, WhatIfRequest.class);
        Experiments.WhatIf w = experiments.whatIf(ctx.pathParam("id"), intervention(req, inspector.model().config()),
                tolerances(ctx));
        ctx.status(w.reused() ? HttpStatus.OK : HttpStatus.CREATED);
        ctx.header("Location", "/api/traces/" + w.id());
        ctx.json(new WhatIfCreated(w.id(), "/?trace=" + ctx.pathParam("id") + "&compare=" + w.id(), w.intervention(),
                w.reused(), w.diff(), w.noDiff()));
    }

    private static String required(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            throw new BadInputException("missing parameter '" + name + "' (a trace id)");
        }
        return v;
    }

    /** {@code atol}, {@code rtol} and {@code tieMargin} from the query, each defaulting to {@link Tolerances#DEFAULT}. */
    static Tolerances tolerances(Context ctx) {
        Tolerances d = Tolerances.DEFAULT;
        return new Tolerances(number(ctx, "atol", d.atol()), number(ctx, "rtol", d.rtol()),
                number(ctx, "tieMargin", d.tieMargin()));
    }

    private static double number(Context ctx, String name, double fallback) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadInputException(name + " must be a number, got '" + v + "'");
        }
    }

    /** The request as an {@link Intervention}, each field checked with its JSON name before the model's own check. */
    static Intervention intervention(WhatIfRequest req, MixtralConfig c) {
        int experts = c.numLocalExperts();
        int layers = c.numHiddenLayers();
        Intervention iv = Intervention.NONE;
        if (req.topK() != null) {
            if (req.topK() < 1 || req.topK() > experts) {
                throw new BadInputException("topK must be between 1 and " + experts + ", got " + req.topK());
            }
            iv = iv.withTopK(req.topK());
        }
        int k = req.topK() == null ? c.numExpertsPerTok() : req.topK();
        List<Drop> drops = req.drop() == null ? List.of() : req.drop();
        for (int i = 0; i < drops.size(); i++) {
            Drop d = drops.get(i);
            String at = "drop[" + i + "]";
            if (d == null || d.layer() == null || d.expert() == null) {
                throw new BadInputException(at + " needs \"layer\" (a layer or \"*\") and \"expert\"");
            }
            iv = iv.withDropped(dropLayer(d.layer(), at, layers), expert(d.expert(), at, experts));
        }
        List<Force> forces = req.force() == null ? List.of() : req.force();
        for (int i = 0; i < forces.size(); i++) {
            Force f = forces.get(i);
            String at = "force[" + i + "]";
            if (f == null || f.layer() == null || f.token() == null || f.experts() == null) {
                throw new BadInputException(at + " needs \"layer\", \"token\" and \"experts\"");
            }
            if (f.layer() < 0 || f.layer() >= layers) {
                throw new BadInputException(at + ".layer must be 0.." + (layers - 1) + ", got " + f.layer());
            }
            if (f.token() < 0) {
                throw new BadInputException(at + ".token must be a position >= 0, got " + f.token());
            }
            if (f.experts().size() != k || f.experts().stream().distinct().count() != k) {
                throw new BadInputException(at + ".experts must be " + k + " distinct experts (the experts per "
                        + "token), got " + f.experts());
            }
            int[] chosen = new int[k];
            for (int j = 0; j < k; j++) {
                chosen[j] = expert(f.experts().get(j), at + ".experts[" + j + "]", experts);
            }
            iv = iv.withForced(f.layer(), f.token(), chosen);
        }
        if (req.routerPrecision() != null) {
            iv = iv.withRouterPrecision(precision(req.routerPrecision()));
        }
        return iv;
    }

    private static int dropLayer(JsonNode layer, String at, int layers) {
        if (layer.isTextual() && layer.asText().equals("*")) {
            return Intervention.EVERY_LAYER;
        }
        if (!layer.isInt() || layer.asInt() < 0 || layer.asInt() >= layers) {
            throw new BadInputException(at + ".layer must be 0.." + (layers - 1) + " or \"*\", got " + layer);
        }
        return layer.asInt();
    }

    private static int expert(Integer e, String at, int experts) {
        if (e == null || e < 0 || e >= experts) {
            throw new BadInputException(at + " must be an expert 0.." + (experts - 1) + ", got " + e);
        }
        return e;
    }

    private static RouterPrecision precision(String name) {
        for (RouterPrecision p : RouterPrecision.values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(name)) {
                return p;
            }
        }
        throw new BadInputException("routerPrecision must be one of f32, bf16, f16, got \"" + name + "\"");
    }
}
