package mixtral.inspector;

import java.util.function.Supplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.ModelRunner.Progress;

/** A terminal progress bar (layer i of L) for a model run of the inspector, drawn by the progressbar library. */
final class CliProgress {
    private static final long POLL_MS = 100;

    private CliProgress() {}

    /** Runs {@code job} and, while it runs, shows the model runner's layer progress on the terminal. */
    static <T> T whileRunning(Inspector inspector, String task, Supplier<T> job) {
        int layers = inspector.model().config().numHiddenLayers();
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(layers).setUnit(" layers", 1)
                .setUpdateIntervalMillis((int) POLL_MS).build()) {
            Thread poller = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    Progress p = inspector.progress();
                    if (p.running() && p.layers() > 0) {
                        bar.stepTo(p.layer());
                    }
                    try {
                        Thread.sleep(POLL_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "cli-progress");
            poller.setDaemon(true);
            poller.start();
            try {
                T result = job.get();
                bar.stepTo(layers);
                return result;
            } finally {
                poller.interrupt();
            }
        }
    }
}
