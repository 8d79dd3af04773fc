package mixtral.gguf;

import static mixtral.gguf.GgufNames.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.tokenizer.Tokenizer;
import mixtral.tokenizer.TokenizerModel;
import mixtral.weights.RopeRows;
import mixtral.weights.WeightSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Mixtral checkpoint as llama.cpp runs it: the {@code llama} architecture with {@code expert_count} and
 * {@code expert_used_count}, each layer's experts stacked into one tensor per projection, query and key rows
 * permuted from Hugging Face's rotate-half order back to the interleaved pairs llama.cpp's RoPE rotates, the router
 * and the norms kept F32 (as llama.cpp's own quantisations keep them), every other matrix in the type asked. A
 * matrix whose rows are not whole blocks of a quantised type is written F16 instead. The vocabulary comes from the
 * folder's {@code tokenizer.model}; without one, {@value #PLACEHOLDER} tokens of the model's size stand in, and the
 * file runs from token ids only.
 *
 * <p>Shape legend: D hidden, H heads, KV kv heads, Hd head dim, F expert hidden, E experts, V vocab.
 */
public final class MixtralGguf {
    /** The tokenizer model name that makes llama.cpp create placeholder tokens ({@code llama.vocab_size} of them). */
    public static final String PLACEHOLDER = "none";
    /** llama.cpp's token type of a padding piece (SentencePiece's UNUSED). */
    private static final int UNUSED = 5;

    private MixtralGguf() {}

    /** What was written: the tensor count per type, and whether the vocabulary is a placeholder. */
    public record Summary(Map<GgmlType, Integer> tensorsByType, boolean placeholderVocabulary) {}

    /**
     * Writes {@code weights} (whose checkpoint folder is {@code dir}, for its tokenizer) as GGUF to {@code out}.
     *
     * @param type the type of the weight matrices (not of norms and routers, which stay F32)
     */
    public static Summary write(WeightSource weights, Path dir, GgmlType type, Path out) {
        MixtralConfig c = weights.config();
        GgufWriter w = new GgufWriter();
        w.putString(GENERAL_ARCHITECTURE, ARCHITECTURE)
                .putString(GENERAL_NAME, dir.toAbsolutePath().normalize().getFileName().toString())
                .putU32(GENERAL_ALIGNMENT, GgufWriter.ALIGNMENT)
                .putU32(GENERAL_FILE_TYPE, type.fileType)
                .putU32(CONTEXT_LENGTH, c.maxPositionEmbeddings())
                .putU32(EMBEDDING_LENGTH, c.hiddenSize())
                .putU32(BLOCK_COUNT, c.numHiddenLayers())
                .putU32(FEED_FORWARD_LENGTH, c.intermediateSize())
                .putU32(HEAD_COUNT, c.numAttentionHeads())
                .putU32(HEAD_COUNT_KV, c.numKeyValueHeads())
                .putU32(KEY_LENGTH, c.headDim())
                .putU32(VALUE_LENGTH, c.headDim())
                .putF32(RMS_EPS, (float) c.rmsNormEps())
                .putU32(ROPE_DIMENSIONS, c.headDim())
                .putF32(ROPE_FREQ_BASE, (float) c.ropeTheta())
                .putU32(EXPERT_COUNT, c.numLocalExperts())
                .putU32(EXPERT_USED_COUNT, c.numExpertsPerTok())
                .putU32(VOCAB_SIZE, c.vocabSize());
        boolean placeholder = !Files.isRegularFile(dir.resolve("tokenizer.model"));
        if (placeholder) {
            w.putString(TOKENIZER_MODEL, PLACEHOLDER);
        } else {
            vocabulary(w, Tokenizer.load(dir.resolve("tokenizer.model")), c.vocabSize());
        }
        Map<GgmlType, Integer> counts = new TreeMap<>();
        Tensors t = new Tensors(w, type, counts);
        int d = c.hiddenSize();
        t.matrix(TOKEN_EMBD, c.vocabSize(), d, () -> floats(weights.embedding()));
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            int layer = l;
            t.vector(attnNorm(l), d, () -> weights.attnNorm(layer));
            t.matrix(attnQ(l), c.numAttentionHeads() * c.headDim(), d,
                    () -> interleaved(weights.wq(layer), c.numAttentionHeads(), c));
            t.matrix(attnK(l), c.numKeyValueHeads() * c.headDim(), d,
                    () -> interleaved(weights.wk(layer), c.numKeyValueHeads(), c));
            t.matrix(attnV(l), c.numKeyValueHeads() * c.headDim(), d, () -> floats(weights.wv(layer)));
            t.matrix(attnOutput(l), d, c.numAttentionHeads() * c.headDim(), () -> floats(weights.wo(layer)));
            t.vector(ffnNorm(l), d, () -> weights.moeNorm(layer));
            t.add(ffnGateInp(l), new long[] {d, c.numLocalExperts()}, GgmlType.F32, List.of(() -> floats(weights.gate(layer))));
            t.experts(ffnGateExps(l), c.intermediateSize(), d, c, e -> weights.w1(layer, e));
            t.experts(ffnUpExps(l), c.intermediateSize(), d, c, e -> weights.w3(layer, e));
            t.experts(ffnDownExps(l), d, c.intermediateSize(), c, e -> weights.w2(layer, e));
        }
        t.vector(OUTPUT_NORM, d, weights::finalNorm);
        if (!c.tieWordEmbeddings()) {
            t.matrix(OUTPUT, c.vocabSize(), d, () -> floats(weights.lmHead()));
        }
        w.write(out);
        return new Summary(counts, placeholder);
    }

    /** Hugging Face (rotate-half) query or key rows to llama.cpp's (interleaved pairs). */
    static float[] interleaved(INDArray w, int heads, MixtralConfig c) {
        return RopeRows.rotateHalfToInterleaved(floats(w), heads, c.headDim(), c.hiddenSize());
    }

    private static void vocabulary(GgufWriter w, Tokenizer tokenizer, int vocabSize) {
        TokenizerModel m = tokenizer.model();
        if (m.size() > vocabSize) {
            throw new BadInputException(m.source() + ": " + m.size() + " pieces, more than the model's vocab_size "
                    + vocabSize);
        }
        List<String> pieces = new ArrayList<>(m.pieces());
        float[] scores = new float[vocabSize];
        int[] types = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            if (i < m.size()) {
                scores[i] = m.scores() == null ? 0 : m.scores()[i];
                types[i] = m.types()[i].ordinal() + 1;   // SentencePiece's numbering, which llama.cpp shares
            } else {
                pieces.add("<pad_" + i + ">");
                types[i] = UNUSED;
            }
        }
        w.putString(TOKENIZER_MODEL, ARCHITECTURE).putStrings(TOKENS, pieces).putF32s(SCORES, scores)
                .putI32s(TOKEN_TYPES, types).putBool(ADD_BOS, true).putBool(ADD_EOS, false);
        if (tokenizer.bosId() >= 0) {
            w.putU32(BOS_ID, tokenizer.bosId());
        }
        if (tokenizer.eosId() >= 0) {
            w.putU32(EOS_ID, tokenizer.eosId());
        }
        if (tokenizer.unkId() >= 0) {
            w.putU32(UNK_ID, tokenizer.unkId());
        }
    }

    static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** Adds tensors in the right type, counting them. */
    private record Tensors(GgufWriter w, GgmlType type, Map<GgmlType, Integer> counts) {
        void vector(String name, int n, Supplier<INDArray> v) {
            add(name, new long[] {n}, GgmlType.F32, List.of(() -> floats(v.get())));
        }

        /** A [rows, cols] matrix in the asked type (F16 when its rows are not whole blocks of it). */
        void matrix(String name, long rows, long cols, Supplier<float[]> v) {
            add(name, new long[] {cols, rows}, matrixType(cols), List.of(v));
        }

        /** Every expert's [rows, cols] matrix, one after another: ggml dims {cols, rows, E}. */
        void experts(String name, long rows, long cols, MixtralConfig c, IntFunction<INDArray> expert) {
            List<Supplier<float[]>> parts = new ArrayList<>();
            for (int e = 0; e < c.numLocalExperts(); e++) {
                int i = e;
                parts.add(() -> floats(expert.apply(i)));
            }
            add(name, new long[] {cols, rows, c.numLocalExperts()}, matrixType(cols), parts);
        }

        void add(String name, long[] dims, GgmlType t, List<Supplier<float[]>> parts) {
            w.tensor(name, dims, t, parts);
            counts.merge(t, 1, Integer::sum);
        }

        private GgmlType matrixType(long cols) {
            return type.fitsRows(cols) ? type : GgmlType.F16;
        }
    }
}
