package mixtral.inspector.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.inspector.analysis.Figure7;
import mixtral.inspector.analysis.Figure7.Figure7View;
import mixtral.inspector.analysis.Figure7.Labelled;
import mixtral.inspector.analysis.Figure7.Skipped;
import mixtral.inspector.analysis.IncompleteTraceException;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;

/**
 * Labels on traces and the paper's Figure 7 over them: a label is given to one of this model's traces that records
 * its routing, and the figure counts the traces of each label. Traces the labels file names that are not this
 * model's (a data directory shared by several models) are left out and listed as skipped.
 */
public final class Labelling {
    /** Most labels one figure compares. */
    public static final int MAX_LABELS = 16;
    /** Labelled traces whose routing is kept in memory (the page asks for the figure with every trace it shows). */
    static final int CACHED_ROUTING = 64;

    private final Inspector inspector;
    private final TraceLabels labels;
    /** Chosen experts [L][T][K] by trace id, of this model's traces only; a trace never changes under its id. */
    private final Map<String, long[][][]> routing = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[][][]> eldest) {
            return size() > CACHED_ROUTING;
        }
    };

    public Labelling(Inspector inspector) {
        this.inspector = inspector;
        this.labels = inspector.store().labels();
    }

    /** Gives trace {@code id} the label (replacing its old one): 404 for no trace of this model, 422 without routing. */
    public String label(String id, String label) {
        String checked = TraceLabels.check(label);
        chosen(id, inspector.trace(id));
        labels.put(id, checked);
        return checked;
    }

    /** Takes the trace's label away; false if it had none. 404 for no trace of this model. */
    public boolean unlabel(String id) {
        inspector.trace(id);
        return labels.remove(id);
    }

    /**
     * The figure for the labels asked for, in that order (each checked as {@link TraceLabels#check} says, at most
     * {@value #MAX_LABELS}, none twice), or for every label when {@code asked} is null; a label no trace of this
     * model has is a {@link NotFoundException} naming the ones there are.
     */
    public Figure7View figure7(List<String> asked) {
        MixtralConfig c = inspector.model().config();
        List<Labelled> traces = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Map.Entry<String, String> e : labels.all().entrySet()) {
            try {
                traces.add(new Labelled(e.getKey(), e.getValue(), routingOf(e.getKey())));
            } catch (NotFoundException | IncompleteTraceException x) {
                skipped.add(new Skipped(e.getKey(), e.getValue(), x.getMessage()));
            }
        }
        if (asked != null) {
            Set<String> wanted = wanted(asked);
            Set<String> present = new LinkedHashSet<>();
            traces.forEach(t -> present.add(t.label()));
            for (String w : wanted) {
                if (!present.contains(w)) {
                    throw new NotFoundException("no trace of this model is labelled '" + w + "'; labels: "
                            + (present.isEmpty() ? "none yet" : String.join(", ", present)));
                }
            }
            List<Labelled> ordered = new ArrayList<>();
            for (String w : wanted) {
                traces.stream().filter(t -> t.label().equals(w)).forEach(ordered::add);
            }
            traces = ordered;
            skipped = skipped.stream().filter(s -> wanted.contains(s.label())).toList();
        }
        return Figure7.of(c.numHiddenLayers(), c.numLocalExperts(), c.numExpertsPerTok(), traces, skipped);
    }

    private static Set<String> wanted(List<String> asked) {
        if (asked.isEmpty()) {
            throw new BadInputException("labels is empty: give one or more labels separated by commas");
        }
        if (asked.size() > MAX_LABELS) {
            throw new BadInputException("at most " + MAX_LABELS + " labels at once, got " + asked.size());
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String a : asked) {
            if (!wanted.add(TraceLabels.check(a))) {
                throw new BadInputException("label '" + a + "' is asked for twice");
            }
        }
        return wanted;
    }

    private long[][][] routingOf(String id) {
        synchronized (routing) {
            long[][][] cached = routing.get(id);
            if (cached != null) {
                return cached;
            }
        }
        long[][][] chosen = chosen(id, inspector.trace(id));
        synchronized (routing) {
            routing.put(id, chosen);
        }
        return chosen;
    }

    /** The trace's chosen experts [L][T][K]; 422 naming the first layer whose routing it lacks. */
    private long[][][] chosen(String id, Trace trace) {
        int layers = inspector.model().config().numHiddenLayers();
        long[][][] chosen = new long[layers][][];
        for (int l = 0; l < layers; l++) {
            String name = TensorNames.selectedExperts(l);
            if (!trace.has(name)) {
                throw new IncompleteTraceException("trace '" + id + "' has no " + name
                        + ": without its routing it cannot be counted in Figure 7");
            }
            chosen[l] = trace.get(name).toLongMatrix();                                 // [T, K]
        }
        return chosen;
    }
}
