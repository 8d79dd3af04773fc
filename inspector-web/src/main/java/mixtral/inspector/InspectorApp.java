package mixtral.inspector;

import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import mixtral.inspector.api.CompareController;
import mixtral.inspector.api.Errors;
import mixtral.inspector.api.JsonErrorPages;
import mixtral.inspector.api.LabelController;
import mixtral.inspector.api.ModelController;
import mixtral.inspector.api.OriginGuard;
import mixtral.inspector.api.PercentEncoding;
import mixtral.inspector.api.ProgressEvents;
import mixtral.inspector.api.SecurityHeaders;
import mixtral.inspector.api.StrictJson;
import mixtral.inspector.api.TraceController;
import mixtral.inspector.engine.Inspector;

/**
 * The web inspector's HTTP surface, all routes in one table. Controllers translate HTTP to {@link Inspector} calls
 * and back; {@link Errors} turns every failure into a JSON error, and {@link JsonErrorPages} the ones Jetty answers
 * itself. Every answer carries the {@link SecurityHeaders}, and {@link OriginGuard} refuses requests that a page of
 * another site makes through the browser. The page (classpath {@code /public}) and D3 (a webjar) are served from the
 * jar, so the inspector works offline.
 */
public final class InspectorApp {
    /** Where the page lives on the classpath; the frontend puts {@code index.html} there. */
    static final String PUBLIC = "/public";

    private InspectorApp() {}

    /** {@link #create(Inspector, String)} for a server on this machine only, 127.0.0.1 (the tests). */
    public static Javalin create(Inspector inspector) {
        return create(inspector, "127.0.0.1");
    }

    /**
     * A configured, not yet started server; the caller starts it (the inspect command) or hands it to JavalinTest.
     * {@code host} is the address it will listen on, which requests must name (see {@link OriginGuard}).
     */
    public static Javalin create(Inspector inspector, String host) {
        OriginGuard guard = new OriginGuard(host);
        ModelController model = new ModelController(inspector);
        JavalinJackson json = new JavalinJackson().updateMapper(StrictJson::configure);
        TraceController traces = new TraceController(inspector, json.getMapper());
        ProgressEvents progress = new ProgressEvents(inspector);
        CompareController compare = new CompareController(inspector, json.getMapper());
        LabelController labels = new LabelController(inspector, json.getMapper());
        return Javalin.create(c -> {
            c.jsonMapper(json);
            c.http.maxRequestSize = inspector.limits().maxRequestBytes();
            c.http.prefer405over404 = true;
            c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorPages()));
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.staticFiles.enableWebjars();
            if (InspectorApp.class.getResource(PUBLIC) != null) {
                c.staticFiles.add(PUBLIC, Location.CLASSPATH);
            }
            c.events.serverStopping(progress::close);

            c.routes.before(ctx -> SecurityHeaders.ALL.forEach(ctx::header));
            c.routes.before(guard::check);
            c.routes.before(PercentEncoding::check);

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
            c.routes.post("/api/traces/import", compare::importTrace);
            c.routes.post("/api/traces/{id}/whatif", compare::whatIf);
            c.routes.get("/api/compare", compare::compare);
            c.routes.put("/api/traces/{id}/label", labels::label);
            c.routes.delete("/api/traces/{id}/label", labels::unlabel);
            c.routes.get("/api/figure7", labels::figure7);
            Errors.register(c.routes, inspector.limits().maxRequestBytes());
        });
    }
}
