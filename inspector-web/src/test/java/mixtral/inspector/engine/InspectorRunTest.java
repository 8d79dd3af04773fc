package mixtral.inspector.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mixtral.inspector.Fixtures;
import mixtral.inspector.about.Examples;
import mixtral.inspector.text.IdCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one trace request does: the phases it reports, the text it answers with, the id it files the trace under. */
class InspectorRunTest {
    @TempDir
    Path data;

    /** Each phase a run went through, as "task@tokens: layers done/layers" with the last layer count it reached. */
    private static List<String> phasesOf(ModelRunner runner, Runnable run) {
        List<ModelRunner.Progress> seen = new ArrayList<>();
        runner.observe(seen::add);
        run.run();
        List<String> phases = new ArrayList<>();
        ModelRunner.Progress previous = null;
        for (ModelRunner.Progress p : seen) {
            String phase = p.task() + "@" + p.tokens() + ": " + p.layer() + "/" + p.layers();
            boolean samePhase = previous != null && previous.task().equals(p.task()) && previous.tokens() == p.tokens()
                    && p.layer() > 0;
            if (samePhase) {
                phases.set(phases.size() - 1, phase);
            } else {
                phases.add(phase);
            }
            previous = p;
        }
        return phases;
    }

    @Test
    void generatingNamesEachNewTokenWithItsContextThenTheTracing() {
        ModelRunner runner = new ModelRunner(1);
        Inspector inspector = Fixtures.inspector(data, Limits.defaults(), runner);
        int l = Fixtures.demo().config().numHiddenLayers();
        List<String> first = phasesOf(runner, () -> inspector.trace(new long[] {1, 50, 60}, 3));
        // Each token's pass counts its layers under its own name; naming a token after its pass shifts every count.
        assertEquals(List.of("generating 3 tokens@3: 0/0",
                "generating token 1 of 3@3: " + l + "/" + l,
                "generating token 2 of 3@4: " + l + "/" + l,
                "generating token 3 of 3@5: " + l + "/" + l,
                "tracing 6 tokens@6: " + l + "/" + l,
                "idle@0: 0/0"), first);

        List<String> again = phasesOf(runner, () -> inspector.trace(new long[] {1, 50, 60}, 3));
        assertEquals("generating token 3 of 3@5: " + l + "/" + l, again.get(again.size() - 2),
                "the same continuation is generated again, and its stored trace reused, not traced again");
    }

    @Test
    void aTextPromptComesBackAsTypedNotAsItsTokensDecoded() {
        InspectedModel demo = Fixtures.demo();
        InspectedModel ids = new InspectedModel(demo.name(), demo.description(), demo.randomWeights(), demo.model(),
                new IdCodec(), demo.fingerprint(), demo.weights(), Examples.IDS, demo.card(), demo.evidence());
        Inspector inspector = Fixtures.inspector(ids, data, Limits.defaults(), new ModelRunner(1));
        // Decoding the ids again would answer "1 50 60".
        assertEquals("1, 50,60", inspector.trace("1, 50,60", 0).text());
        assertEquals("1, 50,60", inspector.trace("1, 50,60", 0).text(), "also when the trace is reused");
        assertEquals("1 50 60", inspector.trace(new long[] {1, 50, 60}, 0).text(), "ids have no text but their own");
    }

    @Test
    void aContinuationsTextIsTheWholeSequenceDecoded() {
        Inspector inspector = Fixtures.inspector(data);
        Inspector.Created c = inspector.trace("Bonjour le monde", 4);
        assertEquals(Fixtures.demo().codec().decode(c.analysis().tokenIds()), c.text());
        assertTrue(c.text().startsWith("Bonjour le monde") && c.text().length() > 16, c.text());
    }

    @Test
    void traceIdsAreTheFirstSixteenHexDigitsOfSha256OfFingerprintAndTokens() {
        InspectedModel demo = Fixtures.demo();
        InspectedModel named = new InspectedModel(demo.name(), demo.description(), demo.randomWeights(), demo.model(),
                demo.codec(), "model-v1", demo.weights(), demo.examples(), demo.card(), demo.evidence());
        // printf 'model-v1[1, 2, 3]' | sha256sum: ids on disk stay findable as long as this holds.
        assertEquals("962a1f505aa689db",
                Fixtures.inspector(named, data, Limits.defaults(), new ModelRunner(1)).idOf(new long[] {1, 2, 3}));
    }
}
