package mixtral.tutorials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import mixtral.compare.Tolerances;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import mixtral.demo.DemoModel;
import mixtral.evidence.Repetition;
import mixtral.inspector.analysis.TraceAnalysis;

/**
 * Facts that several lessons quote, each computed once from where it is defined: the demo model's configuration and
 * training run, Mixtral 8x7B's published configuration, {@code ./mixtral compare}'s default tolerances and the
 * inspector's near-tie threshold. Any lesson's Markdown may mark them by these names ({@code <!--n:demo.d-->192<!--/n-->});
 * a lesson's own numbers never use a prefix, so the two cannot collide.
 */
public final class Facts {
    /** The record the demo model's training run wrote (trained-model/train.py), relative to tutorials/. */
    static final Path TRAINING_RUN = Path.of("..", "docs", "trained-model", "run.json");
    /** Name prefixes reserved for facts. */
    static final String[] PREFIXES = {"demo.", "mixtral.", "compare.", "inspector."};

    private static Map<String, String> facts;

    private Facts() {}

    public static synchronized Map<String, String> all() {
        if (facts == null) {
            facts = Collections.unmodifiableMap(compute());
        }
        return facts;
    }

    static boolean isFact(String name) {
        for (String p : PREFIXES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> compute() {
        MixtralConfig demo = ConfigReader.readFolder(DemoModel.folder());
        ParameterCount dp = ParameterCount.of(demo);
        JsonNode run = trainingRun();
        int e = demo.numLocalExperts();
        int k = demo.numExpertsPerTok();
        Map<String, String> n = new LinkedHashMap<>();
        n.put("demo.layers", Integer.toString(demo.numHiddenLayers()));
        n.put("demo.e", Integer.toString(e));
        n.put("demo.k", Integer.toString(k));
        n.put("demo.d", Integer.toString(demo.hiddenSize()));
        n.put("demo.f", Integer.toString(demo.intermediateSize()));
        n.put("demo.h", Integer.toString(demo.numAttentionHeads()));
        n.put("demo.kv", Integer.toString(demo.numKeyValueHeads()));
        n.put("demo.hd", Integer.toString(demo.headDim()));
        n.put("demo.v", Fmt.grouped(demo.vocabSize()));
        n.put("demo.params", Fmt.abbreviated(dp.totalSum()));
        n.put("demo.params_exact", Fmt.grouped(dp.totalSum()));
        n.put("demo.active_exact", Fmt.grouped(dp.activeSum()));
        n.put("demo.training_tokens", Fmt.abbreviated(run.get("tokens").asLong()));
        n.put("demo.aux_loss_coef", run.get("router_aux_loss_coef").asText());
        // Hugging Face's load-balancing loss is E * sum_e f_e P_e, with f summing to K over the experts and P to 1:
        // with an even load it is E * E * (K/E) * (1/E) = K.
        n.put("demo.aux_loss_even", Fmt.fixed(k, 1));
        n.put("demo.chance_first", Fmt.percent(Repetition.randomFirst(e)));
        n.put("demo.chance_first_fraction", "1/" + e);
        n.put("demo.chance_share", Fmt.percent(Repetition.randomShareOne(e, k)));
        n.put("demo.chance_share_formula", shareOneFormula(e, k));

        MixtralConfig big = SparseMoeInOnePage.mixtral8x7b();
        ParameterCount bp = ParameterCount.of(big);
        n.put("mixtral.e", Integer.toString(big.numLocalExperts()));
        n.put("mixtral.k", Integer.toString(big.numExpertsPerTok()));
        n.put("mixtral.total", Fmt.abbreviated(bp.totalSum()));
        n.put("mixtral.active", Fmt.abbreviated(bp.activeSum()));
        n.put("mixtral.total_exact", Fmt.grouped(bp.totalSum()));
        n.put("mixtral.active_exact", Fmt.grouped(bp.activeSum()));
        n.put("mixtral.layers", Integer.toString(big.numHiddenLayers()));
        n.put("mixtral.expert_params", Fmt.abbreviated(3L * big.hiddenSize() * big.intermediateSize()));

        n.put("compare.atol", Fmt.shortest(Tolerances.DEFAULT.atol()));
        n.put("compare.rtol", Fmt.shortest(Tolerances.DEFAULT.rtol()));
        n.put("compare.tie_margin", Fmt.shortest(Tolerances.DEFAULT.tieMargin()));
        n.put("inspector.near_tie", Fmt.shortest(TraceAnalysis.NEAR_TIE_MARGIN));
        n.put("inspector.near_tie_odds", Fmt.fixed(Math.exp(TraceAnalysis.NEAR_TIE_MARGIN), 2));
        n.put("inspector.top", Integer.toString(TraceAnalysis.TOP));
        return n;
    }

    /** 1 - C(E-K, K)/C(E, K) written as the lesson derives it, the second token's K picks in turn: "1 - (6/8)(5/7)". */
    static String shareOneFormula(int e, int k) {
        StringBuilder s = new StringBuilder("1 - ");
        for (int i = 0; i < k; i++) {
            s.append('(').append(e - k - i).append('/').append(e - i).append(')');
        }
        return s.toString();
    }

    static JsonNode trainingRun() {
        if (!Files.isRegularFile(TRAINING_RUN)) {
            throw new IllegalStateException(TRAINING_RUN.toAbsolutePath().normalize() + " is missing: the lessons run"
                    + " from the tutorials folder of the repository, beside docs/");
        }
        try {
            return new ObjectMapper().readTree(TRAINING_RUN.toFile());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
