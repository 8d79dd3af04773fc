package mixtral.cli;

import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import mixtral.model.WeightMemory;
import mixtral.trace.Recorder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Passes everything on to another recorder and draws a progress bar on stderr over the decoder layers of each
 * forward pass, with the weight bytes converted from the checkpoint so far (what streaming costs).
 */
final class LayerProgress implements Recorder, AutoCloseable {
    private final Recorder inner;
    private final WeightMemory memory;
    private final String task;
    private ProgressBar bar;
    private long started;
    private long convertedBefore;

    LayerProgress(Recorder inner, WeightMemory memory, String task) {
        this.inner = inner;
        this.memory = memory;
        this.task = task;
        restart();
    }

    /** A forward pass starts now: its rate counts from here. */
    private void restart() {
        started = System.nanoTime();
        convertedBefore = memory.convertedBytes();
    }

    @Override
    public boolean wants(String name) {
        return inner.wants(name);
    }

    @Override
    public void record(String name, INDArray value) {
        inner.record(name, value);
    }

    @Override
    public void record(String name, Supplier<INDArray> value) {
        inner.record(name, value);
    }

    @Override
    public void layerDone(int layer, int layers) {
        inner.layerDone(layer, layers);
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(layers).setUnit(" layers", 1)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        }
        bar.stepTo(layer + 1);
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long mb = (memory.convertedBytes() - convertedBefore) >> 20;
        bar.setExtraMessage(String.format("%,d MB of weights read, %,.0f MB/s", mb, mb / seconds));
        if (layer + 1 == layers) {
            close();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        restart();
    }
}
