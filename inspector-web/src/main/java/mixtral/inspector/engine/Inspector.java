package mixtral.inspector.engine;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mixtral.BadInputException;
import mixtral.evidence.Sha256;
import mixtral.inspector.analysis.TraceAnalysis;
import mixtral.inspector.analysis.Views.AttentionView;
import mixtral.inspector.analysis.Views.RoutingSummary;
import mixtral.inspector.analysis.Views.TokenDetail;
import mixtral.model.Generator;
import mixtral.model.MixtralModel;
import mixtral.trace.Recorder;
import mixtral.trace.Trace;
import mixtral.trace.TensorNames;
import mixtral.trace.TraceRecorder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inspector's domain: turns prompts into recorded traces and traces into views. A trace's id is a digest of the
 * model's fingerprint and the token ids, so the same tokens on the same model reuse the stored trace instead of
 * running again (the forward pass is deterministic), and an id from another model is never mistaken for one of ours.
 */
public final class Inspector {
    private static final String FINGERPRINT_KEY = "inspector.model_fingerprint";
    /**
     * Metadata key of what sets a trace apart from the model's own trace of the same tokens: an intervention (a
     * what-if run) or an imported file's digest. It goes into the id, so such traces never take the plain trace's id.
     */
    static final String VARIANT_KEY = "inspector.variant";
    /** Metadata key saying where a trace came from: {@link #IMPORTED}, {@link #WHAT_IF}, or absent for a plain run. */
    static final String SOURCE_KEY = "inspector.source";
    static final String IMPORTED = "import";
    static final String WHAT_IF = "whatif";

    /** A finished trace: its id, its text, the views of it, and how many of its tokens this request generated. */
    public record Created(String id, String text, TraceAnalysis analysis, int generated, boolean reused) {}

    private final InspectedModel model;
    private final Limits limits;
    private final ModelRunner runner;
    private final TraceStore store;
    private final Map<String, RoutingSummary> summaries;
    private volatile String exampleTraceId;

    public Inspector(InspectedModel model, Limits limits, ModelRunner runner, TraceStore store) {
        this.model = model;
        this.limits = limits;
        this.runner = runner;
        this.store = store;
        this.summaries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RoutingSummary> eldest) {
                return size() > limits.cachedTraces();
            }
        };
    }

    public InspectedModel model() {
        return model;
    }

    public Limits limits() {
        return limits;
    }

    public ModelRunner.Progress progress() {
        return runner.progress();
    }

    /** Traces the model's example prompt (or finds it stored), so that the page's first load shows a trace. */
    public String traceExample() {
        exampleTraceId = trace(model.examplePrompt(), 0).id();
        return exampleTraceId;
    }

    /** The id of the example prompt's trace, or null before {@link #traceExample()} ran. */
    public String exampleTraceId() {
        return exampleTraceId;
    }

    /** Tokenizes the prompt; the page shows the ids and pieces before any model run. */
    public long[] encode(String prompt) {
        return model.codec().encode(prompt);
    }

    /** {@link #trace(long[], int)} of the prompt's tokens; the text is the prompt itself when nothing is generated. */
    public Created trace(String prompt, int generate) {
        Traced t = run(encode(prompt), generate);
        return new Created(t.id(), generate == 0 ? prompt : textOf(t), t.analysis(), generate, t.reused());
    }

    /**
     * Runs (or reuses) the trace of {@code prompt} followed by {@code generate} greedily generated tokens. Generation
     * and tracing are one job for the model runner, so a request that got the model keeps it until its trace is done.
     * The model checks the token ids; this checks what the server allows.
     */
    public Created trace(long[] prompt, int generate) {
        Traced t = run(prompt, generate);
        return new Created(t.id(), textOf(t), t.analysis(), generate, t.reused());
    }

    /** A trace's id and views, and whether it was stored before this request. */
    private record Traced(String id, TraceAnalysis analysis, boolean reused) {}

    /**
     * Generated tokens have no text but their ids, and SentencePiece decodes a piece in its context (a leading
     * space is dropped at the start of a text only), so the text of a continuation is the whole sequence's.
     */
    private String textOf(Traced t) {
        return model.codec().decode(t.analysis().tokenIds());
    }

    private Traced run(long[] prompt, int generate) {
        checkLimits(prompt, generate);
        if (generate == 0) {
            Optional<Traced> stored = stored(idOf(prompt));
            if (stored.isPresent()) {
                return stored.get();
            }
        }
        String task = generate > 0 ? "generating " + generate + " tokens" : "tracing " + prompt.length + " tokens";
        return runner.run(task, prompt.length, r -> {
            long[] all = generate > 0 ? append(prompt, greedy(prompt, generate, r)) : prompt;
            String id = idOf(all);
            return stored(id).orElseGet(() -> {
                r.phase("tracing " + all.length + " tokens", all.length);
                Trace trace = stamped(record(all, model.model(), r), null, null);
                store.put(id, trace);
                return new Traced(id, new TraceAnalysis(trace, model.config(), model.codec()), false);
            });
        });
    }

    /** This model's stored trace under {@code id}; a foreign file there is not one, and the new trace replaces it. */
    private Optional<Traced> stored(String id) {
        return store.find(id).flatMap(trace -> {
            try {
                return Optional.of(new Traced(id, analysisOf(id, trace), true));
            } catch (NotFoundException foreign) {
                return Optional.empty();
            }
        });
    }

    /** One forward pass of {@code m} (the model, or it under an intervention) over {@code tokens}, recorded. */
    Trace record(long[] tokens, MixtralModel m, ModelRunner.Reporter r) {
        TraceRecorder recorder =
                TraceContents.recorder(model.config(), tokens.length, TraceContents.FULL_TRACE_BUDGET_BYTES);
        m.forward(tokens, r.wrap(recorder));
        return recorder.toTrace(model.config());
    }

    /** The trace with this model's fingerprint, and its variant and source (both null for a plain run). */
    Trace stamped(Trace trace, String variant, String source) {
        Map<String, String> meta = new LinkedHashMap<>(trace.metadata());
        meta.put(FINGERPRINT_KEY, model.fingerprint());
        meta.put("inspector.model", model.name());
        if (variant != null) {
            meta.put(VARIANT_KEY, variant);
            meta.put(SOURCE_KEY, source);
        }
        return new Trace(trace.tensors(), meta);
    }

    /** The model's greedy continuation, naming each new token to the progress endpoint: a long run looks alive. */
    private long[] greedy(long[] prompt, int n, ModelRunner.Reporter r) {
        return Generator.generate(model.model(), prompt, Generator.Settings.greedy(n), r.wrap(Recorder.NONE),
                k -> r.phase("generating token " + k + " of " + n, prompt.length + k - 1));
    }

    private static long[] append(long[] a, long[] b) {
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private void checkLimits(long[] prompt, int generate) {
        if (generate < 0 || generate > limits.maxGenerate()) {
            throw new BadInputException("generate must be between 0 and " + limits.maxGenerate() + ", got " + generate);
        }
        if (prompt.length + generate > limits.maxTokens()) {
            throw new TooLongException("the prompt has " + prompt.length + " tokens"
                    + (generate > 0 ? " (+" + generate + " to generate)" : "")
                    + "; this server allows at most " + limits.maxTokens() + " tokens per trace");
        }
    }

    public TraceAnalysis analysis(String id) {
        return new TraceAnalysis(trace(id), model.config(), model.codec());
    }

    /** A stored trace, checked as {@link #analysisOf} says; 404 for an unknown id. */
    public Trace trace(String id) {
        Trace trace = store.find(id).orElseThrow(() -> new NotFoundException("no trace with id '" + id + "'"));
        checkOwn(id, trace);
        return trace;
    }

    private TraceAnalysis analysisOf(String id, Trace trace) {
        checkOwn(id, trace);
        return new TraceAnalysis(trace, model.config(), model.codec());
    }

    /**
     * A stored trace must be this model's trace of the tokens (and variant) its id names: a file of another model,
     * or of no inspector, put in the data folder under an id is no trace of this one, and 404 like any unknown id.
     */
    private void checkOwn(String id, Trace trace) {
        String fingerprint = trace.metadata().get(FINGERPRINT_KEY);
        if (!model.fingerprint().equals(fingerprint)) {
            throw new NotFoundException("trace '" + id + "' was recorded with another model ("
                    + (fingerprint == null ? "its file names none"
                            : trace.metadata().getOrDefault("inspector.model", "unknown")) + ")");
        }
        INDArray tokens = trace.tensors().get(TensorNames.TOKENS);
        if (tokens == null || !id.equals(idOf(tokens.toLongVector(), trace.metadata().get(VARIANT_KEY)))) {
            throw new NotFoundException("trace '" + id + "' holds other tokens than its id names");
        }
    }

    /** The overview of a trace; kept for the most recent traces, since every page load and share asks for it. */
    public RoutingSummary summary(String id) {
        synchronized (summaries) {
            RoutingSummary cached = summaries.get(id);
            if (cached != null) {
                return cached;
            }
        }
        RoutingSummary s = analysis(id).summary(id);
        synchronized (summaries) {
            summaries.put(id, s);
        }
        return s;
    }

    public TokenDetail token(String id, int position) {
        TraceAnalysis analysis = analysis(id);
        int length = analysis.tokenIds().length;
        if (position < 0 || position >= length) {
            throw new NotFoundException("trace '" + id + "' has tokens 0.." + (length - 1) + ", not " + position);
        }
        return runner.run("logit lens", length, r -> analysis.token(id, position, model.model()));
    }

    /** Re-runs the trace's tokens recording only one layer's attention probabilities [H, T, T]. */
    public AttentionView attention(String id, int layer, int head) {
        TraceAnalysis analysis = analysis(id);
        int layers = model.config().numHiddenLayers();
        int heads = model.config().numAttentionHeads();
        if (layer < 0 || layer >= layers) {
            throw new BadInputException("layer must be 0.." + (layers - 1) + ", got " + layer);
        }
        if (head < 0 || head >= heads) {
            throw new BadInputException("head must be 0.." + (heads - 1) + ", got " + head);
        }
        long[] tokens = analysis.tokenIds();
        String name = TensorNames.attnProbs(layer);
        float[][] probs = runner.run("attention of layer " + layer, tokens.length, r -> {
            TraceRecorder recorder = TraceRecorder.matching(List.of(name), true);
            model.model().forward(tokens, r.wrap(recorder));
            return recorder.tensors().get(name).slice(head).toFloatMatrix();             // [T, T]
        });
        return new AttentionView(id, layer, head, heads, analysis.tokens(), probs);
    }

    public Path traceFile(String id) {
        analysis(id);
        return store.fileOf(id).orElseThrow(() -> new NotFoundException("trace '" + id + "' has no file"));
    }

    String idOf(long[] tokens) {
        return idOf(tokens, null);
    }

    /** The id of a trace of {@code tokens}; a variant (see {@link #VARIANT_KEY}) makes it another id. */
    String idOf(long[] tokens, String variant) {
        Sha256.Digest d = Sha256.digest().add(model.fingerprint()).add(Arrays.toString(tokens));
        return (variant == null ? d : d.add(variant)).hex().substring(0, 16);
    }

    TraceStore store() {
        return store;
    }

    ModelRunner runner() {
        return runner;
    }
}
