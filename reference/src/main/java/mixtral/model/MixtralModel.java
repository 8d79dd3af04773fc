package mixtral.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import mixtral.BadInputException;
import mixtral.config.HuggingFaceConfigJson;
import mixtral.config.MixtralConfig;
import mixtral.trace.Recorder;
import mixtral.trace.TensorNames;
import mixtral.weights.WeightSource;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The whole Mixtral decoder: embedding, L decoder layers, final RMSNorm, LM head. */
public final class MixtralModel {
    /**
     * Where a decoder layer's intermediate arrays live: one block of memory, reused by every layer and grown when a
     * longer prompt needs more. Without it ND4J allocates (and the OS pages in) hundreds of MB of fresh buffers per
     * prompt, freed only when the garbage collector happens to run. Arrays that outlive the layer (its output, the
     * KV cache, recorded tensors, RoPE tables) are made outside it.
     */
    public static final WorkspaceConfiguration LAYER_MEMORY = WorkspaceConfiguration.builder()
            .policyLearning(LearningPolicy.FIRST_LOOP).policySpill(SpillPolicy.REALLOCATE).build();

    private final MixtralConfig config;
    private final Embedding embedding;
    private final DecoderLayer[] layers;
    private final RmsNorm finalNorm;
    private final Weight lmHead;        // [V, D]
    private final WeightMemory memory;
    private final IntConsumer readAhead;    // tells a streamed source which layer comes next

    private MixtralModel(MixtralConfig config, Embedding embedding, DecoderLayer[] layers, RmsNorm finalNorm,
                         Weight lmHead, WeightMemory memory, IntConsumer readAhead) {
        this.config = config;
        this.embedding = embedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.memory = memory;
        this.readAhead = readAhead;
    }

    /** Copies every weight from the source, as float32, into memory. */
    public static MixtralModel load(WeightSource w) {
        return load(w, RoutingRule.MIXTRAL);
    }

    /** The model with another routing rule: for experiments and the golden tests' negative controls. */
    public static MixtralModel load(WeightSource w, RoutingRule routingRule) {
        return load(w, routingRule, WeightMemory.unbounded());
    }

    /**
     * The model with its weights held by {@code memory}. With a bounded memory the weights are converted from the
     * source as the forward pass reaches them, so the source (a checkpoint) must stay open while the model is used.
     */
    public static MixtralModel load(WeightSource w, RoutingRule routingRule, WeightMemory memory) {
        MixtralConfig c = w.config();
        long d = c.hiddenSize();
        long f = c.intermediateSize();
        long qRows = (long) c.numAttentionHeads() * c.headDim();
        long kvRows = (long) c.numKeyValueHeads() * c.headDim();
        Rope rope = new Rope(c.headDim(), c.ropeTheta());
        DecoderLayer[] layers = new DecoderLayer[c.numHiddenLayers()];
        List<List<Weight>> byLayer = new ArrayList<>();     // the weights each read-ahead brings in; the head last
        for (int i = 0; i < layers.length; i++) {
            int l = i;
            List<Weight> held = new ArrayList<>();
            byLayer.add(held);
            Expert[] experts = new Expert[c.numLocalExperts()];
            for (int e = 0; e < experts.length; e++) {
                int x = e;
                experts[e] = new Expert(memory.weight(4 * f * d, () -> w.w1(l, x), held),
                        memory.weight(4 * d * f, () -> w.w2(l, x), held), memory.weight(4 * f * d, () -> w.w3(l, x), held));
            }
            Attention attention = new Attention(i, c, memory.weight(4 * qRows * d, () -> w.wq(l), held),
                    memory.weight(4 * kvRows * d, () -> w.wk(l), held), memory.weight(4 * kvRows * d, () -> w.wv(l), held),
                    memory.weight(4 * d * qRows, () -> w.wo(l), held), rope);
            Router router = new Router(i, memory.weight(4L * c.numLocalExperts() * d, () -> w.gate(l), held),
                    c.numExpertsPerTok(), routingRule, Intervention.NONE,
                    memory.isBounded() ? e -> w.notNeeded(l, e) : e -> {});
            layers[i] = new DecoderLayer(i,
                    new RmsNorm(w.attnNorm(i), c.rmsNormEps(), TensorNames.attnNorm(i)), attention,
                    new RmsNorm(w.moeNorm(i), c.rmsNormEps(), TensorNames.moeNorm(i)), new SparseMoe(i, router, experts));
        }
        Weight lmHead = memory.weight(4L * c.vocabSize() * d, w::lmHead);
        byLayer.add(List.of(lmHead));
        // a layer whose weights are all held already (the model fits in the budget) is not read again
        IntConsumer readAhead = layer -> {
            if (layer < byLayer.size() && !memory.holdsAll(byLayer.get(layer))) {
                w.readAhead(layer);
            }
        };
        return new MixtralModel(c, Embedding.of(w, memory), layers,
                new RmsNorm(w.finalNorm(), c.rmsNormEps(), TensorNames.FINAL_NORM), lmHead, memory,
                memory.isBounded() ? readAhead : layer -> {});
    }

    /**
     * The same model (sharing its weights) with routing decisions overridden: see {@link Intervention}. Checked
     * against the configuration first, so a bad layer or expert is a one-line error.
     */
    public MixtralModel with(Intervention intervention) {
        intervention.check(config);
        DecoderLayer[] changed = new DecoderLayer[layers.length];
        for (int i = 0; i < layers.length; i++) {
            changed[i] = layers[i].with(intervention);
        }
        return new MixtralModel(config, embedding, changed, finalNorm, lmHead, memory, readAhead);
    }

    /** Where the float32 weights are held, and how many bytes of them were converted so far. */
    public WeightMemory memory() {
        return memory;
    }

    public MixtralConfig config() {
        return config;
    }

    public KvCache newCache() {
        return new KvCache(layers.length, config.numKeyValueHeads() * config.headDim());
    }

    /** Runs T tokens from position 0 with no cache and returns their next-token logits [T, V]. */
    public INDArray forward(long[] tokens, Recorder rec) {
        return forward(tokens, newCache(), rec);
    }

    /**
     * Runs T new tokens at positions cache.length() .. cache.length()+T-1, attending to the cached past, and returns
     * their next-token logits [T, V]. The cache then holds these tokens too.
     */
    public INDArray forward(long[] tokens, KvCache cache, Recorder rec) {
        checkTokens(config, tokens, cache.length());
        rec.record(TensorNames.TOKENS, () -> Nd4j.createFromArray(tokens));
        readAhead.accept(0);
        INDArray x = embedding.rows(toInt(tokens));                        // [T, D]
        rec.record(TensorNames.EMBED, x);
        for (int i = 0; i < layers.length; i++) {
            readAhead.accept(i + 1);                                        // the disk works while layer i computes
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(LAYER_MEMORY, "layer")) {
                x = layers[i].forward(x, cache, rec).detach();              // [T, D]
            }
            rec.layerDone(i, layers.length);
        }
        cache.advance(tokens.length);
        INDArray logits = Blas.linear(finalNorm.forward(x, rec), lmHead.get());  // [T, V]
        rec.record(TensorNames.LOGITS, logits);
        return logits;
    }

    /**
     * The logit lens: what the model would predict if the residual stream x [T, D] (say, a layer's resid_post) went
     * straight to the final norm and the LM head. Returns logits [T, V].
     */
    public INDArray logitLens(INDArray residual) {
        return Blas.linear(finalNorm.forward(residual, Recorder.NONE), lmHead.get());
    }

    /**
     * Refuses what a forward pass of {@code tokens} after {@code cached} cached ones cannot run: no tokens, an id
     * outside the vocabulary, positions beyond {@code max_position_embeddings}. Public so that a caller can ask
     * before it loads the weights.
     */
    public static void checkTokens(MixtralConfig config, long[] tokens, int cached) {
        if (tokens.length == 0) {
            throw new BadInputException("no tokens to run");
        }
        checkPositions(config, (long) cached + tokens.length, String.format(Locale.ROOT, cached == 0 ? "%,d tokens"
                : "%,d tokens after %,d cached", tokens.length, cached));
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
                throw new BadInputException("token id " + tokens[i] + " at position " + i
                        + " is outside the vocabulary (vocab_size=" + config.vocabSize() + ")");
            }
        }
    }

    /** Refuses a run that reaches more positions than the model was made for; {@code what} names them. */
    public static void checkPositions(MixtralConfig c, long positions, String what) {
        if (positions > c.maxPositionEmbeddings()) {
            throw new BadInputException(String.format(Locale.ROOT, "%s exceed the %,d positions this model was made "
                    + "for (%s)", what, c.maxPositionEmbeddings(), HuggingFaceConfigJson.MAX_POSITION_EMBEDDINGS));
        }
    }

    private static int[] toInt(long[] tokens) {
        int[] r = new int[tokens.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (int) tokens[i];
        }
        return r;
    }
}
