package mixtral.inspector.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.inspector.Fixtures;
import mixtral.inspector.analysis.TraceAnalysis;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import org.junit.jupiter.api.Test;

class TraceContentsTest {

    @Test
    void theDemoModelsTracesAreCompleteUpToTheDefaultCapAndMixtral8x7bsLongOnesAreNot() throws Exception {
        assertTrue(TraceContents.isComplete(Fixtures.demo().config(), Limits.defaults().maxTokens(),
                TraceContents.FULL_TRACE_BUDGET_BYTES));
        MixtralConfig big = ConfigReader.parseHuggingFace(
                new String(mixtral.config.ConfigJson.class.getResourceAsStream("/configs/mixtral-8x7b-v0.1.json")
                        .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "8x7b");
        assertTrue(TraceContents.isComplete(big, 64, TraceContents.FULL_TRACE_BUDGET_BYTES));
        assertFalse(TraceContents.isComplete(big, 512, TraceContents.FULL_TRACE_BUDGET_BYTES));
    }

    @Test
    void aTraceOverTheBudgetKeepsWhatTheViewsReadAndTheViewsStillWork() {
        var model = Fixtures.demo();
        long[] tokens = {1, 50, 60, 70};
        TraceRecorder rec = TraceContents.recorder(model.config(), tokens.length, 0);
        model.model().forward(tokens, rec);
        Trace trace = rec.toTrace(model.config());
        assertFalse(trace.has(TensorNames.EMBED));
        assertFalse(trace.has(TensorNames.residMid(0)));
        assertTrue(trace.has(TensorNames.residPost(5)) && trace.has(TensorNames.routerLogits(5)));

        TraceAnalysis analysis = new TraceAnalysis(trace, model.config(), model.codec());
        assertEquals(6, analysis.summary("x").routing().size());
        assertEquals(6, analysis.token("x", 3, model.model()).layers().size());
    }
}
