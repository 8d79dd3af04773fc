package mixtral.inspector.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import mixtral.BadInputException;
import mixtral.inspector.Fixtures;
import mixtral.model.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectorTest {
    @TempDir
    Path data;

    @Test
    void theSameTokensOnTheSameModelReuseTheStoredTrace() {
        Inspector inspector = Fixtures.inspector(data);
        long[] tokens = inspector.encode("Reuse me, please.");
        Inspector.Created first = inspector.trace(tokens, 0);
        Inspector.Created second = inspector.trace(tokens, 0);
        assertFalse(first.reused());
        assertTrue(second.reused());
        assertEquals(first.id(), second.id());
    }

    @Test
    void idsAreSixteenHexDigitsAndDifferForDifferentTokens() {
        Inspector inspector = Fixtures.inspector(data);
        String a = inspector.idOf(new long[] {1, 2, 3});
        String b = inspector.idOf(new long[] {1, 2, 4});
        assertTrue(TraceStore.isId(a), a);
        assertNotEquals(a, b);
        assertEquals(a, Fixtures.inspector(data).idOf(new long[] {1, 2, 3}), "ids must not depend on the instance");
    }

    @Test
    void aTraceSurvivesARestartWithTheSameDataDirectory() {
        String id = Fixtures.inspector(data).trace(new long[] {1, 50, 60, 70}, 0).id();
        Inspector restarted = Fixtures.inspector(data);
        assertEquals(4, restarted.summary(id).tokens().size());
    }

    @Test
    void generatedTokensAreAppendedAndCounted() {
        Inspector inspector = Fixtures.inspector(data);
        Inspector.Created c = inspector.trace(new long[] {1, 50, 60}, 3);
        assertEquals(3, c.generated());
        assertEquals(6, c.analysis().tokenIds().length);
    }

    @Test
    void generatingTheSameContinuationAgainReusesItsTrace() {
        Inspector inspector = Fixtures.inspector(data);
        Inspector.Created first = inspector.trace(new long[] {1, 50, 60}, 3);
        Inspector.Created again = inspector.trace(new long[] {1, 50, 60}, 3);
        assertFalse(first.reused());
        assertTrue(again.reused());
        assertEquals(first.id(), again.id());
        assertEquals(3, again.generated());
    }

    @Test
    void generatedTokensAreTheReferenceGeneratorsGreedyTokens() {
        Inspector inspector = Fixtures.inspector(data);
        long[] prompt = inspector.encode("Le routeur");
        long[] expected = Generator.generate(Fixtures.demo().model(), prompt, Generator.Settings.greedy(5));
        long[] all = inspector.trace(prompt, 5).analysis().tokenIds();
        assertArrayEquals(expected, Arrays.copyOfRange(all, prompt.length, all.length));
    }

    @Test
    void aPromptOverTheTokenCapIsRefusedBeforeTheModelRuns() {
        Limits small = new Limits(4, 2, 4096, 1, 4);
        Inspector inspector = Fixtures.inspector(data, small, new ModelRunner(1));
        assertThrows(TooLongException.class, () -> inspector.trace(new long[] {1, 2, 3, 4, 5}, 0));
        assertThrows(TooLongException.class, () -> inspector.trace(new long[] {1, 2, 3}, 2));
    }

    @Test
    void tokenIdsOutsideTheVocabularyAreBadInput() {
        Inspector inspector = Fixtures.inspector(data);
        int vocab = Fixtures.demo().config().vocabSize();
        BadInputException e = assertThrows(BadInputException.class, () -> inspector.trace(new long[] {1, vocab}, 0));
        assertTrue(e.getMessage().contains(Integer.toString(vocab)), e.getMessage());
        assertThrows(BadInputException.class, () -> inspector.trace(new long[] {-1}, 0));
        assertThrows(BadInputException.class, () -> inspector.trace(new long[0], 0));
    }

    @Test
    void unknownTracesPositionsLayersAndHeadsAreNamedInTheError() {
        Inspector inspector = Fixtures.inspector(data);
        String id = inspector.trace(new long[] {1, 50, 60}, 0).id();
        assertThrows(NotFoundException.class, () -> inspector.summary("0123456789abcdef"));
        assertThrows(NotFoundException.class, () -> inspector.summary("../../etc/passwd"));
        assertThrows(NotFoundException.class, () -> inspector.token(id, 3));
        int layers = Fixtures.demo().config().numHiddenLayers();
        int heads = Fixtures.demo().config().numAttentionHeads();
        assertThrows(BadInputException.class, () -> inspector.attention(id, layers, 0));
        assertThrows(BadInputException.class, () -> inspector.attention(id, 0, heads));
    }

    @Test
    void attentionRowsAreCausalDistributions() {
        Inspector inspector = Fixtures.inspector(data);
        String id = inspector.trace(new long[] {1, 50, 60, 70}, 0).id();
        float[][] probs = inspector.attention(id, 2, 1).probs();
        assertEquals(4, probs.length);
        for (int q = 0; q < probs.length; q++) {
            double sum = 0;
            for (int k = 0; k < probs[q].length; k++) {
                sum += probs[q][k];
                if (k > q) {
                    assertEquals(0f, probs[q][k], "query " + q + " sees future key " + k);
                }
            }
            assertEquals(1.0, sum, 1e-5);
        }
    }

    @Test
    void theExampleTraceIdIsKnownAfterTracingTheExample() {
        Inspector inspector = Fixtures.inspector(data);
        String id = inspector.traceExample();
        assertEquals(id, inspector.exampleTraceId());
        assertTrue(inspector.summary(id).tokens().size() > 10);
    }
}
