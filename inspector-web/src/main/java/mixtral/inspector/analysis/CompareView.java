package mixtral.inspector.analysis;

import java.util.List;
import mixtral.compare.Report;
import mixtral.inspector.analysis.Views.Prediction;

/**
 * {@code GET /api/compare}: trace B held to trace A. {@code report} is {@link mixtral.compare.TraceComparison}'s
 * report, the same JSON as {@code ./mixtral compare --json}; the rest is what the page draws beside it. B may choose
 * another number of experts per token than A (a what-if of k): each layer's routing then gives both K and every
 * token's set is changed.
 *
 * @param alignedByPosition true when A and B are of different tokens: then only the routing (selected experts and
 *                          router logits) and the logits of the first {@code positions} positions are compared,
 *                          position by position, without replay
 * @param positions         how many token positions were compared (the shorter trace's length when aligned)
 * @param replayed          whether B's routing was replayed through the served model (A made by it, B routed)
 * @param tieMargin         the tie margin the report used
 * @param perTokenKl        [positions] KL(A || B) of the next-token distributions, A against B directly (not against
 *                          the replayed baseline), in nats; null when either trace lacks logits
 * @param nextA             the most likely tokens after A's last token, or null without logits
 * @param nextB             the same for B
 */
public record CompareView(String a, String b, boolean alignedByPosition, int positions, boolean replayed,
                          double tieMargin, Report report, double[] perTokenKl, List<Prediction> nextA,
                          List<Prediction> nextB) {}
