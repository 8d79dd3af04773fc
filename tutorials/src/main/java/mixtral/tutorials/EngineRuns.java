package mixtral.tutorials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.xml.parsers.DocumentBuilderFactory;
import mixtral.compare.JunitReport;
import mixtral.compare.Margins;
import mixtral.compare.Report;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.compare.TraceComparison.Options;
import mixtral.demo.DemoModel;
import mixtral.engines.llamacpp.LlamaCppEngine;
import mixtral.engines.llamacpp.LlamaCppLibraries;
import mixtral.gguf.GgmlType;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import org.w3c.dom.Element;

/**
 * Lesson 7's runs: the reference and llama.cpp (through {@link LlamaCppEngine}, the code behind
 * {@code ./mixtral engine-trace llama.cpp}) on the same tokens, each trace written to a file and read back as the CLI
 * would, and their comparisons through {@link TraceComparison}, the code behind {@code ./mixtral compare}. The traces
 * are made once per process: llama.cpp takes a few seconds per weight type.
 */
final class EngineRuns {
    /** The weight types the lesson runs llama.cpp with: float32 first, the adapter's proof, then two quantisations. */
    static final List<GgmlType> TYPES = List.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0);

    private static Trace reference;
    private static final Map<GgmlType, Trace> LLAMA = new EnumMap<>(GgmlType.class);
    /** Comparisons by weight type, tolerances and replay: a replay re-runs the reference, which takes seconds. */
    private static final Map<List<Object>, Report> REPORTS = new ConcurrentHashMap<>();

    private EngineRuns() {}

    /** Why llama.cpp cannot run here (its libraries are fetched by engines/fetch-llama-cpp.sh), or empty. */
    static Optional<String> unavailable() {
        return LlamaCppLibraries.missing();
    }

    /** {@code ./mixtral trace --prompt TEXT}: the reference's trace of the lesson's text. */
    static synchronized Trace reference() {
        if (reference == null) {
            TraceRecorder rec = TraceRecorder.all(false);
            DemoRun.model().forward(DemoRun.tokens(RegressionTesting.TEXT), rec);
            reference = viaFile(rec.toTrace(DemoRun.model().config()));
        }
        return reference;
    }

    /** {@code ./mixtral engine-trace llama.cpp --prompt TEXT --quant TYPE}: what llama.cpp computed. */
    static synchronized Trace llama(GgmlType type) {
        return LLAMA.computeIfAbsent(type, t -> viaFile(LlamaCppEngine.trace(DemoModel.folder(),
                reference().get(TensorNames.TOKENS).toLongVector(), t, false)));
    }

    /** {@code ./mixtral compare reference.safetensors llama.safetensors} with these tolerances. */
    static Report compare(GgmlType type, Tolerances tol) {
        return REPORTS.computeIfAbsent(List.of(type, tol, false), k -> TraceComparison.compare(reference(), llama(type), tol));
    }

    /** The same with {@code --model DIR}: llama.cpp's routing replayed through the reference. */
    static Report replayed(GgmlType type, Tolerances tol) {
        return REPORTS.computeIfAbsent(List.of(type, tol, true), k -> replayed(llama(type), tol));
    }

    /** {@code ./mixtral compare ... --model DIR} of any trace of the lesson's tokens against the reference. */
    static Report replayed(Trace actual, Tolerances tol) {
        return TraceComparison.compare(reference(), actual, tol, new Options(List.of(), DemoRun.model()));
    }

    /** Every routing decision of the reference: layer, token, its router margin. */
    record Decision(int layer, int token, double margin) {
        boolean flippedIn(Report r) {
            return r.flips().stream().anyMatch(f -> f.layer() == layer && f.token() == token);
        }
    }

    static List<Decision> decisions() {
        Trace t = reference();
        int k = t.config().numExpertsPerTok();
        List<Decision> out = new ArrayList<>();
        for (int l = 0; l < t.config().numHiddenLayers(); l++) {
            float[][] logits = t.get(TensorNames.routerLogits(l)).toFloatMatrix();
            for (int tok = 0; tok < logits.length; tok++) {
                out.add(new Decision(l, tok, Margins.margin(logits[tok], k)));
            }
        }
        return out;
    }

    /** How far the engine's router logits are from the baseline's, at worst over the layers. */
    static double routerLogitError(Report r) {
        return r.tensors().stream().filter(d -> d.name().endsWith(".moe.router_logits"))
                .mapToDouble(Report.TensorDiff::maxAbsError).max().orElseThrow();
    }

    /** The largest error over all tensors, scaled by each tensor's size: max |a - e| / max(1, max |e|). */
    static double scaledError(Report r) {
        return r.tensors().stream().mapToDouble(Report.TensorDiff::scaledMaxError).max().orElseThrow();
    }

    /** The largest |value| the reference's residual stream reaches. */
    static double residualMax() {
        double max = 0;
        for (int l = 0; l < reference().config().numHiddenLayers(); l++) {
            max = Math.max(max, reference().get(TensorNames.residPost(l)).amaxNumber().doubleValue());
        }
        return max;
    }

    /** What {@code --junit FILE} writes, as a CI system reads it: test cases and failures. */
    record Junit(int tests, int failures) {}

    static Junit junit(Report r) {
        try {
            Path file = Files.createTempFile("lesson7-", ".xml");
            try {
                JunitReport.write(r, "mixtral compare llama.safetensors", file);
                Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile())
                        .getDocumentElement();
                return new Junit(Integer.parseInt(suite.getAttribute("tests")),
                        Integer.parseInt(suite.getAttribute("failures")));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the JUnit report could not be read back", e);
        }
    }

    private static Trace viaFile(Trace t) {
        try {
            Path file = Files.createTempFile("lesson7-", ".safetensors");
            try {
                t.write(file);
                return Trace.read(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
