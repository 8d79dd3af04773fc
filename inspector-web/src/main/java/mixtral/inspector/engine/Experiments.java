package mixtral.inspector.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mixtral.BadInputException;
import mixtral.compare.Margins;
import mixtral.compare.Report;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.evidence.Sha256;
import mixtral.inspector.analysis.CompareView;
import mixtral.inspector.analysis.TraceAnalysis;
import mixtral.model.Intervention;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceTensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Traces beside the model's own: imported ones, held to the served model ({@link TraceImport}); comparisons of two
 * stored traces ({@link TraceComparison}); and what-if runs of a trace's tokens under an {@link Intervention}. An
 * imported or intervened trace's id covers its variant (the file's digest, the intervention), so it never takes the
 * id of the model's plain trace of the same tokens, and its metadata says where it came from.
 */
public final class Experiments {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A what-if run: the new trace's id, the intervention as stored, whether it existed, and the diff. */
    public record WhatIf(String id, JsonNode intervention, boolean reused, CompareView diff, String noDiff) {}

    private final Inspector inspector;

    public Experiments(Inspector inspector) {
        this.inspector = inspector;
    }

    /** Validates and stores an uploaded trace file; returns its id (the same file gives the same id). */
    public String importTrace(InputStream body, long declaredLength) {
        Limits limits = inspector.limits();
        Trace trace = TraceImport.read(body, declaredLength, limits.maxImportBytes(), inspector.model().config(),
                limits.maxTokens());
        String variant = "import:" + contentDigest(trace);
        long[] tokens = trace.get(TensorNames.TOKENS).toLongVector();
        String id = inspector.idOf(tokens, variant);
        inspector.store().put(id, inspector.stamped(trace, variant, Inspector.IMPORTED));
        return id;
    }

    /** A digest of the tensors and the file's own metadata, independent of how the safetensors header was laid out. */
    private static String contentDigest(Trace trace) {
        Sha256.Digest d = Sha256.digest();
        trace.metadata().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> d.add(e.getKey()).add("=").add(e.getValue()));
        trace.tensors().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            INDArray a = e.getValue();
            d.add(e.getKey()).add(Arrays.toString(a.shape()));
            d.add(a.dataType().isIntType() ? Arrays.toString(a.castTo(DataType.LONG).dup('c').data().asLong())
                    : Arrays.toString(a.castTo(DataType.FLOAT).dup('c').data().asFloat()));
        });
        return d.hex();
    }

    /** Trace {@code b} held to trace {@code a} (see {@link CompareView}). */
    public CompareView compare(String a, String b, Tolerances tol) {
        Trace ta = inspector.trace(a);
        Trace tb = inspector.trace(b);
        long[] tokensA = ta.get(TensorNames.TOKENS).toLongVector();
        long[] tokensB = tb.get(TensorNames.TOKENS).toLongVector();
        boolean aligned = !Arrays.equals(tokensA, tokensB);
        int positions = Math.min(tokensA.length, tokensB.length);
        boolean replay = !aligned && !Inspector.IMPORTED.equals(ta.metadata().get(Inspector.SOURCE_KEY))
                && tb.tensors().keySet().stream().anyMatch(n -> TensorNames.is(n, TraceTensor.SELECTED_EXPERTS));
        Report report;
        if (aligned) {
            report = TraceComparison.compare(routingPrefix(ta, positions), routingPrefix(tb, positions), tol);
        } else if (replay) {
            report = inspector.runner().run("comparing " + a + " with " + b, positions, r -> TraceComparison.compare(
                    ta, tb, tol, new TraceComparison.Options(List.of(), inspector.model().model())));
        } else {
            report = TraceComparison.compare(ta, tb, tol);
        }
        TraceAnalysis va = new TraceAnalysis(ta, inspector.model().config(), inspector.model().codec());
        TraceAnalysis vb = new TraceAnalysis(tb, inspector.model().config(), inspector.model().codec());
        return new CompareView(a, b, aligned, positions, replay, tol.tieMargin(), report, perTokenKl(ta, tb, positions),
                va.hasLogits() ? va.nextTokens() : null, vb.hasLogits() ? vb.nextTokens() : null);
    }

    /** Two prompts compared by position: their routing and logits over the common length, no token ids. */
    private static Trace routingPrefix(Trace t, int n) {
        Map<String, INDArray> kept = new LinkedHashMap<>();
        t.tensors().forEach((name, a) -> {
            boolean routing = TensorNames.is(name, TraceTensor.SELECTED_EXPERTS)
                    || TensorNames.is(name, TraceTensor.ROUTER_LOGITS);
            if (routing || name.equals(TensorNames.LOGITS)) {
                kept.put(name, a.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).dup());
            }
        });
        return new Trace(kept, t.metadata());
    }

    private static double[] perTokenKl(Trace a, Trace b, int n) {
        if (!a.has(TensorNames.LOGITS) || !b.has(TensorNames.LOGITS)) {
            return null;
        }
        double[] kl = new double[n];
        for (int t = 0; t < n; t++) {
            kl[t] = Margins.kl(a.get(TensorNames.LOGITS).getRow(t).castTo(DataType.DOUBLE).toDoubleVector(),
                    b.get(TensorNames.LOGITS).getRow(t).castTo(DataType.DOUBLE).toDoubleVector());
        }
        return kl;
    }

    /**
     * Runs the trace's tokens through the served model under {@code iv} (applied to the plain model, not on top of an
     * intervention the trace itself was made under), stores the result, and compares it with the trace.
     */
    public WhatIf whatIf(String id, Intervention iv, Tolerances tol) {
        Trace base = inspector.trace(id);
        long[] tokens = base.get(TensorNames.TOKENS).toLongVector();
        if (iv.isNone()) {
            throw new BadInputException("nothing to change: give topK, drop, force or routerPrecision");
        }
        iv.check(inspector.model().config());
        iv.forced().keySet().forEach(site -> {
            if (site.index() >= tokens.length) {
                throw new BadInputException("force: token " + site.index() + " is beyond the trace's " + tokens.length
                        + " tokens (0.." + (tokens.length - 1) + ")");
            }
        });
        String variant = canonical(iv.toJson());
        String newId = inspector.idOf(tokens, variant);
        Optional<Trace> stored = inspector.store().find(newId);
        boolean reused = stored.isPresent() && variant.equals(stored.get().metadata().get(Inspector.VARIANT_KEY));
        if (!reused) {
            inspector.runner().run("what if " + variant, tokens.length, r -> {
                Trace t = inspector.record(tokens, inspector.model().model().with(iv), r)
                        .withMetadata(Trace.INTERVENTION, variant);
                inspector.store().put(newId, inspector.stamped(t, variant, Inspector.WHAT_IF));
                return null;
            });
        }
        CompareView diff = null;
        String noDiff = null;
        try {
            diff = compare(id, newId, tol);
        } catch (BadInputException e) {
            noDiff = e.getMessage();                // what the comparison refuses, in its words
        }
        try {
            return new WhatIf(newId, JSON.readTree(variant), reused, diff, noDiff);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the intervention's own JSON does not parse: " + variant, e);
        }
    }

    /** The intervention's JSON with its lists sorted: sets have no order, and the id must not depend on one. */
    static String canonical(String json) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(json);
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (o.get(k).isArray()) {
                    List<String> items = new ArrayList<>();
                    o.get(k).forEach(v -> items.add(v.asText()));
                    items.sort(null);
                    ArrayNode sorted = o.putArray(k);
                    items.forEach(sorted::add);
                }
            }
            return o.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }
}
