package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.junit.jupiter.api.Test;

class AttentionAndCacheTest {
    @Test
    void oneHeadByHandMatchesTheRecordedAttentionForEveryQuery() {
        Trace trace = DemoRun.trace(DemoRun.SENTENCE, true);
        int tokens = (int) trace.get(TensorNames.TOKENS).length();
        for (int head = 0; head < trace.config().numAttentionHeads(); head++) {
            for (int t = 0; t < tokens; t++) {
                AttentionAndCache.ByHand h = AttentionAndCache.byHand(trace, head, t);
                assertTrue(h.maxDiff() < 1e-5, "head " + head + " query " + t + " differs by " + h.maxDiff());
            }
        }
    }

    @Test
    void ropePreservesNormAndDependsOnlyOnRelativePosition() {
        double[] q = {0.3, -1.2, 0.8, 0.5};
        double[] k = {1.0, 0.2, -0.4, 0.9};
        double[] r = AttentionAndCache.rope(q, 1000, 1e6);
        assertEquals(AttentionAndCache.dot(q, q), AttentionAndCache.dot(r, r), 1e-9);
        assertEquals(AttentionAndCache.dot(AttentionAndCache.rope(q, 7, 1e4), AttentionAndCache.rope(k, 3, 1e4)),
                AttentionAndCache.dot(AttentionAndCache.rope(q, 907, 1e4), AttentionAndCache.rope(k, 903, 1e4)), 1e-9);
    }

    @Test
    void generatingWithTheKvCacheGivesTheTokensOfRecomputingEverything() {
        AttentionAndCache.Generated g = AttentionAndCache.generate();
        assertEquals(AttentionAndCache.NEW_TOKENS, g.withCache().length);
        assertArrayEquals(g.recomputed(), g.withCache());
    }

    @Test
    void mixtral8x7bKeepsOneHundredTwentyEightKibibytesOfKeysAndValuesPerToken() {
        assertEquals(128 * 1024, AttentionAndCache.kvBytesPerToken(SparseMoeInOnePage.mixtral8x7b(), 8));
    }
}
