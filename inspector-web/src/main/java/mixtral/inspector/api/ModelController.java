package mixtral.inspector.api;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.util.Arrays;
import mixtral.config.ConfigJson;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.EvidenceReport;
import mixtral.inspector.about.Evidence;
import mixtral.inspector.analysis.TraceAnalysis;
import mixtral.inspector.api.Dto.FormatTensor;
import mixtral.inspector.api.Dto.ModelInfo;
import mixtral.inspector.api.Dto.TraceFormat;
import mixtral.inspector.engine.InspectedModel;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.NotFoundException;
import mixtral.trace.Trace;
import mixtral.trace.TraceTensor;

/** {@code GET /api/model}, {@code GET /api/trace-format}, {@code GET /api/evidence} and {@code GET /api/progress}. */
public final class ModelController {
    private final Inspector inspector;

    public ModelController(Inspector inspector) {
        this.inspector = inspector;
    }

    public void info(Context ctx) {
        ctx.json(info(inspector));
    }

    public void traceFormat(Context ctx) {
        ctx.json(TRACE_FORMAT);
    }

    static final TraceFormat TRACE_FORMAT = new TraceFormat(Trace.FORMAT, Trace.FORMAT_VERSION,
            Arrays.stream(TraceTensor.values()).map(t -> new FormatTensor(t.pattern(), t.leaf(), t.scope().name(),
                    t.shape().stream().map(Enum::name).toList(), t.dtype().name(), t.role().name(), t.description()))
                    .toList(),
            TraceAnalysis.NORM_VIEWS.stream().map(TraceTensor::leaf).toList());

    /** The evidence as evidence.json spells it (the same records and mapping), or 404 saying why there is none. */
    public void evidence(Context ctx) {
        Evidence e = inspector.model().evidence();
        EvidenceReport report = e.report().orElseThrow(() -> new NotFoundException(e.absence()));
        ctx.contentType(ContentType.APPLICATION_JSON).result(EvidenceJson.toJson(report));
    }

    public void progress(Context ctx) {
        ctx.json(inspector.progress());
    }

    static ModelInfo info(Inspector inspector) {
        InspectedModel m = inspector.model();
        MixtralConfig c = m.config();
        ParameterCount p = ParameterCount.of(c);
        return new ModelInfo(m.name(), m.description(), m.randomWeights(), m.card(), m.codec().description(),
                m.examples(), inspector.exampleTraceId(), ConfigJson.toHuggingFace(c), m.weights(), p.totalSum(),
                p.activeSum(), p.total(), p.active(), m.evidence().report().isPresent(), TraceAnalysis.NEAR_TIE_MARGIN,
                inspector.limits());
    }
}
