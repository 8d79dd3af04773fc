package com.github.tjake.jlama.model;

import com.github.tjake.jlama.model.functions.FeedForward;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Jlama's own forward pass, watched. Jlama has no hooks, so this class sits in its package: it rebuilds each
 * {@link TransformerBlock} with Jlama's public constructor around Jlama's own norms, attention and feed-forward, each
 * wrapped to copy out what passes through, and drives the blocks one by one as {@link AbstractModel#forward} does.
 * Nothing is recomputed but the router logits (Jlama's own dot product on the MoE input it was given, with its own
 * gate weight: {@code MoEBlock} overwrites them with probabilities in place). The routing recorded is what
 * {@code MoEBlock} decided: its private probabilities and chosen experts are read at the moment it hands each expert's
 * activation to the tensor reducer, which Jlama calls for distributed runs and which, here, only looks.
 * Shape legend: T tokens, D hidden, E experts, K experts per token, V vocab.
 */
public final class JlamaTap {
    /** The two ways Jlama runs tokens: a prompt as one batch, or one token at a time (generation). */
    public enum Path { BATCH, TOKEN }

    /** What one layer computed, rows in token order. */
    public static final class Layer {
        public final List<float[]> attnNorm = new ArrayList<>();     // [T][D]
        public final List<float[]> attnOut = new ArrayList<>();      // [T][D]
        public final List<float[]> residMid = new ArrayList<>();     // [T][D]
        public final List<float[]> moeNorm = new ArrayList<>();      // [T][D]
        public final List<float[]> routerLogits = new ArrayList<>(); // [T][E]
        public final List<float[]> routerProbs = new ArrayList<>();  // [T][E]
        public final List<int[]> selected = new ArrayList<>();       // [T][K] in the order the MoE summed them
        public final List<float[]> applied = new ArrayList<>();      // [T][K] the weight each chosen output got
        public final List<float[]> moeOut = new ArrayList<>();       // [T][D]
        public final List<float[]> residPost = new ArrayList<>();    // [T][D]
    }

    /** Everything recorded in one run. */
    public static final class Result {
        public final List<float[]> embed = new ArrayList<>();      // [T][D]
        public final List<Layer> layers = new ArrayList<>();
        public final List<float[]> finalNorm = new ArrayList<>();  // [T][D]
        public final List<float[]> logits = new ArrayList<>();     // [T][V]
    }

    /**
     * Where a MoE reports a routing decision: token {@code row} of the current call, its probabilities over all E, the
     * experts it chose and the weights their outputs were given.
     */
    public interface RoutingSink {
        void routed(int row, float[] probs, int[] chosen, float[] applied);
    }

    private static final int MAX_BATCH = Integer.getInteger("jlama.max_batch_size", 256);

    private final AbstractModel model;
    private final TransformerBlock[] blocks;
    private final StockRoutingReader[] readers;
    private final Result result = new Result();

    /**
     * @param model a Jlama model built for full generation
     * @param moe   the feed-forward to run in place of each layer's {@code MoEBlock} (given the block and where to
     *              report routing), or null for Jlama's own, whose routing is read from its private fields
     */
    public JlamaTap(AbstractModel model, BiFunction<MoEBlock, RoutingSink, FeedForward> moe) {
        this.model = model;
        TransformerBlock[] original = model.transformerBlocks;
        this.blocks = new TransformerBlock[original.length];
        this.readers = new StockRoutingReader[original.length];
        for (int l = 0; l < original.length; l++) {
            Layer rec = new Layer();
            result.layers.add(rec);
            blocks[l] = rewire(original[l], rec, moe);
        }
    }

    /** Runs {@code tokens} from position 0 on a fresh KV cache, by {@code path}, and returns what was recorded. */
    public Result run(int[] tokens, Path path) {
        try (KvBufferCache.KvBuffer kv = model.kvBufferCache.getEphemeralKvBuffer()) {
            if (path == Path.BATCH) {
                for (int start = 0; start < tokens.length; start += MAX_BATCH) {
                    int[] batch = Arrays.copyOfRange(tokens, start, Math.min(tokens.length, start + MAX_BATCH));
                    forward(model.embedInput.batchInputsToEmbeddings(batch, start), start, kv);
                }
            } else {
                for (int p = 0; p < tokens.length; p++) {
                    forward(model.embedInput.inputTokenToEmbedding(tokens[p], p), p, kv);
                }
            }
        }
        return result;
    }

    /** One batch (rows = tokens from {@code start}) through every block, then Jlama's output norm and sampling call. */
    private void forward(AbstractTensor embedding, int start, KvBufferCache.KvBuffer kv) {
        result.embed.addAll(rows(embedding));
        for (int l = 0; l < blocks.length; l++) {
            AbstractTensor in = embedding;
            embedding = blocks[l].forward(embedding, start, kv, Optional.ofNullable(readers[l]));
            result.layers.get(l).residPost.addAll(rows(embedding));
            in.close();
        }
        int vocab = model.c.vocabularySize;
        for (int b = 0; b < embedding.shape().first(); b++) {
            AbstractTensor row = embedding.slice(b);
            try (AbstractTensor normed = model.sampleOutput.getOutputLayerNorm().forward(row);
                 AbstractTensor logits = model.makeDenseTensor(1, vocab)) {
                result.finalNorm.addAll(rows(normed));
                model.sample(row, 0f, 0f, logits);     // greedy; leaves the raw logits in its output tensor
                result.logits.addAll(rows(logits));
            }
        }
        embedding.close();
    }

    private TransformerBlock rewire(TransformerBlock b, Layer rec, BiFunction<MoEBlock, RoutingSink, FeedForward> moe) {
        MoEBlock stock = (MoEBlock) b.ffBlock;
        RoutingSink sink = (row, probs, chosen, applied) -> {
            rec.routerProbs.add(probs);
            rec.selected.add(chosen);
            rec.applied.add(applied);
        };
        FeedForward ff = moe == null ? stock : moe.apply(stock, sink);
        StockRoutingReader reader = moe == null ? new StockRoutingReader(stock, sink) : null;
        readers[b.layerIndex] = reader;
        AbstractTensor gate = privateField(stock, "moeGateWeight", AbstractTensor.class);
        LayerNorm attnNorm = new Tap(model, b.preAttentionNorm.orElseThrow(), null, rec.attnNorm) {
            @Override
            void seen(AbstractTensor normed) {
                if (reader != null) {
                    reader.calls = -1;     // attention's reducer calls are not the MoE's
                }
            }
        };
        LayerNorm attnOut = new Tap(model, null, null, rec.attnOut);
        LayerNorm moeNorm = new Tap(model, b.preFFNorm.orElseThrow(), rec.residMid, rec.moeNorm) {
            @Override
            void seen(AbstractTensor normed) {
                if (reader != null) {
                    reader.calls = 0;      // the MoE runs next: count its reducer calls from here
                }
                int e = gate.shape().first();
                for (int t = 0; t < normed.shape().first(); t++) {
                    float[] logits = new float[e];
                    AbstractTensor x = normed.slice(true, t);
                    for (int i = 0; i < e; i++) {
                        logits[i] = TensorOperationsProvider.get().dotProduct(x, gate.slice(true, i), 0, 0, model.c.embeddingLength);
                    }
                    rec.routerLogits.add(logits);
                }
            }
        };
        FeedForward tapped = (x, reducer) -> {
            AbstractTensor out = ff.forward(x, reducer);
            rec.moeOut.addAll(rows(out));
            return out;
        };
        if (b.postAttentionNorm.isPresent() || b.postFFNorm.isPresent() || b.preResponseNorm.isPresent()) {
            throw new IllegalStateException("layer " + b.layerIndex + " is not Mixtral's pre-norm block");
        }
        return new TransformerBlock(model, b.layerIndex, Optional.of(attnNorm), b.attention, Optional.of(attnOut),
                Optional.of(moeNorm), tapped, Optional.empty(), Optional.empty());
    }

    /**
     * Reads Jlama's routing as its MoE runs: {@code MoEBlock} calls the reducer once per (token, chosen expert), in
     * token order, after choosing that token's experts; its weights for them are none (each output is added as is).
     */
    private static final class StockRoutingReader implements Consumer<List<AbstractTensor>> {
        private final RoutingSink sink;
        private final AbstractTensor probs;
        private final int[] chosen;
        int calls = -1;

        StockRoutingReader(MoEBlock moe, RoutingSink sink) {
            this.sink = sink;
            this.probs = privateField(moe, "expertResults", AbstractTensor.class);
            this.chosen = privateField(moe, "selectedExperts", int[].class);
        }

        @Override
        public void accept(List<AbstractTensor> tensors) {
            if (calls < 0 || calls++ % chosen.length != 0) {
                return;
            }
            float[] p = new float[(int) probs.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = probs.get(0, i);
            }
            float[] ones = new float[chosen.length];
            Arrays.fill(ones, 1f);
            sink.routed(-1, p, chosen.clone(), ones);
        }
    }

    /** A norm that records its input and output; without an inner norm, an identity that records a copy. */
    private static class Tap extends LayerNorm {
        private final LayerNorm inner;
        private final List<float[]> in;
        private final List<float[]> out;

        Tap(AbstractModel m, LayerNorm inner, List<float[]> in, List<float[]> out) {
            super(m, null, null);
            this.inner = inner;
            this.in = in;
            this.out = out;
        }

        @Override
        public AbstractTensor forward(AbstractTensor input) {
            if (in != null) {
                in.addAll(rows(input));
            }
            AbstractTensor o;
            if (inner != null) {
                o = inner.forward(input);
            } else {
                o = input.copyShape();
                o.copyFrom(input, 0, 0, (int) input.size());
            }
            out.addAll(rows(o));
            seen(o);
            return o;
        }

        void seen(AbstractTensor output) {}
    }

    /** The rows of a [rows, cols] tensor as floats (Jlama recycles its tensors: copy before they are closed). */
    static List<float[]> rows(AbstractTensor t) {
        int n = t.shape().first();
        int d = t.shape().last();
        List<float[]> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            float[] row = new float[d];
            for (int i = 0; i < d; i++) {
                row[i] = t.get(r, i);
            }
            out.add(row);
        }
        return out;
    }

    static <T> T privateField(Object o, String name, Class<T> type) {
        try {
            Field f = o.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return type.cast(f.get(o));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Jlama's " + o.getClass().getSimpleName() + " has no field " + name
                    + ": this adapter was written for jlama-core 0.8.4", e);
        }
    }
}
