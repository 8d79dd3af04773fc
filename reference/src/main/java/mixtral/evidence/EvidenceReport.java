package mixtral.evidence;

import java.util.List;
import java.util.Map;

/**
 * Everything {@code ./mixtral evidence} found: the schema of {@code evidence.json} (keys in snake_case; written and
 * read only by {@link EvidenceJson}). The trained model's routing beside a random-weight model's of the same shape, on
 * the same held-out tokens, and what uniformly random routing would give.
 *
 * @param what    one line saying what this is
 * @param command the commands that make it again at the root of a fresh clone, the corpus step first
 * @param groups  group names; the G axis of every [G] array
 */
public record EvidenceReport(String what, String command, Model model, Heldout heldout, List<String> groups,
                             RoutingEvidence trained, RoutingEvidence random, Chance chance) {

    /**
     * @param parameters        total parameters
     * @param safetensorsSha256 sha256 of the weight file (of the shards' bytes in order, for a sharded checkpoint)
     */
    public record Model(int layers, int experts, int topK, long parameters, String safetensorsSha256) {}

    /**
     * @param windowTokens     T, tokens per window, BOS included
     * @param windowsPerSource the most windows taken from one source
     * @param tokens           tokens counted per group (BOS left out)
     * @param manifestSha256   sha256 of the corpus manifest that names the sources and their groups
     */
    public record Heldout(int windowTokens, int windowsPerSource, Map<String, Long> tokens, String manifestSha256) {}

    /**
     * What routing that ignores the token would give: no information about the group, accuracy 1/G, the same first
     * choice 1/E of the time, a shared expert 1 - C(E-K, K)/C(E, K) of the time.
     */
    public record Chance(double mutualInformationBits, double classifierAccuracy, double repeatFirst,
                         double repeatEither) {
        public static Chance of(int groups, int experts, int topK) {
            return new Chance(0, 1.0 / groups, Repetition.randomFirst(experts), Repetition.randomShareOne(experts, topK));
        }
    }

    /** Total tokens counted, all groups. */
    public long tokens() {
        return heldout.tokens().values().stream().mapToLong(Long::longValue).sum();
    }
}
