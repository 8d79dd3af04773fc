package mixtral.inspector.api;

import io.javalin.http.Context;
import mixtral.config.ConfigJson;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import mixtral.inspector.analysis.TraceAnalysis;
import mixtral.inspector.api.Dto.ModelInfo;
import mixtral.inspector.engine.InspectedModel;
import mixtral.inspector.engine.Inspector;

/** {@code GET /api/model} and {@code GET /api/progress}. */
public final class ModelController {
    private final Inspector inspector;

    public ModelController(Inspector inspector) {
        this.inspector = inspector;
    }

    public void info(Context ctx) {
        ctx.json(info(inspector));
    }

    public void progress(Context ctx) {
        ctx.json(inspector.progress());
    }

    static ModelInfo info(Inspector inspector) {
        InspectedModel m = inspector.model();
        MixtralConfig c = m.config();
        ParameterCount p = ParameterCount.of(c);
        return new ModelInfo(m.name(), m.description(), m.randomWeights(), m.codec().description(), m.examplePrompt(),
                inspector.exampleTraceId(), ConfigJson.toHuggingFace(c), p.totalSum(), p.activeSum(), p.total(),
                p.active(), TraceAnalysis.NEAR_TIE_MARGIN, inspector.limits());
    }
}
