package mixtral.inspector.api;

import io.javalin.http.sse.SseClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.ModelRunner.Progress;

/**
 * {@code GET /api/progress/events}: server-sent events named {@code progress}, each a {@link Progress} as JSON. A
 * client gets the current state at once, then every change, polled a few times a second; the model thread never
 * waits for a slow client.
 */
public final class ProgressEvents implements AutoCloseable {
    private static final long PERIOD_MS = 200;

    private final Inspector inspector;
    private final List<SseClient> clients = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "progress-events");
        t.setDaemon(true);
        return t;
    });
    private volatile Progress last;

    public ProgressEvents(Inspector inspector) {
        this.inspector = inspector;
        this.last = inspector.progress();      // so the first tick does not repeat the state a client got on connecting
        ticker.scheduleAtFixedRate(this::tick, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Keeps the connection open and sends the current progress; later changes follow from the ticker. */
    public void connect(SseClient client) {
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.add(client);
        client.sendEvent("progress", inspector.progress());
    }

    private void tick() {
        Progress now = inspector.progress();
        if (now.equals(last)) {
            return;
        }
        last = now;
        for (SseClient c : clients) {
            if (c.terminated()) {
                clients.remove(c);
            } else {
                try {
                    c.sendEvent("progress", now);
                } catch (RuntimeException e) {
                    clients.remove(c);
                }
            }
        }
    }

    /** Stops the ticker; the server closes the connections themselves when it stops. */
    @Override
    public void close() {
        ticker.shutdownNow();
        clients.clear();
    }
}
