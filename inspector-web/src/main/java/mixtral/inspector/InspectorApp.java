package mixtral.inspector;

import com.fasterxml.jackson.databind.DeserializationFeature;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import mixtral.inspector.api.Errors;
import mixtral.inspector.api.ModelController;
import mixtral.inspector.api.ProgressEvents;
import mixtral.inspector.api.TraceController;
import mixtral.inspector.engine.Inspector;

/**
 * The web inspector's HTTP surface, all routes in one table. Controllers translate HTTP to {@link Inspector} calls
 * and back; {@link Errors} turns every failure into a JSON error. The page (classpath {@code /public}) and D3 (a
 * webjar) are served from the jar, so the inspector works offline.
 */
public final class InspectorApp {
    /** Where the page lives on the classpath; the frontend puts {@code index.html} there. */
    static final String PUBLIC = "/public";

    private InspectorApp() {}

    /** A configured, not yet started server; the caller starts it (the inspect command) or hands it to JavalinTest. */
    public static Javalin create(Inspector inspector) {
        ModelController model = new ModelController(inspector);
        TraceController traces = new TraceController(inspector);
        ProgressEvents progress = new ProgressEvents(inspector);
        return Javalin.create(c -> {
            c.jsonMapper(new JavalinJackson().updateMapper(m -> m
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)));
            c.http.maxRequestSize = inspector.limits().maxRequestBytes();
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.staticFiles.enableWebjars();
            if (InspectorApp.class.getResource(PUBLIC) != null) {
                c.staticFiles.add(PUBLIC, Location.CLASSPATH);
            }
            c.events.serverStopping(progress::close);

            c.routes.get("/api/model", model::info);
            c.routes.get("/api/trace-format", model::traceFormat);
            c.routes.get("/api/evidence", model::evidence);
            c.routes.get("/api/progress", model::progress);
            c.routes.sse("/api/progress/events", progress::connect);
            c.routes.post("/api/traces", traces::create);
            c.routes.get("/api/traces/{id}", traces::summary);
            c.routes.get("/api/traces/{id}/tokens/{position}", traces::token);
            c.routes.get("/api/traces/{id}/attention", traces::attention);
            c.routes.get("/api/traces/{id}/trace.safetensors", traces::download);
            Errors.register(c.routes, inspector.limits().maxRequestBytes());
        });
    }
}
