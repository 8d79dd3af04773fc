package mixtral.tutorials;

import mixtral.demo.DemoModel;
import mixtral.model.MixtralModel;
import mixtral.tokenizer.Tokenizer;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;

/**
 * The embedded demo model (a small Mixtral trained on five languages and code; its shape, as the lessons quote it, is in
 * {@link Facts}) and its tokenizer, loaded once per process for all lessons.
 */
final class DemoRun {
    /** The sentence lessons 2 to 6 follow through the model. */
    static final String SENTENCE = "The router sends each token to two experts.";

    private static MixtralModel model;
    private static Tokenizer tokenizer;

    private DemoRun() {}

    static synchronized MixtralModel model() {
        if (model == null) {
            try (Checkpoint c = Checkpoint.open(DemoModel.folder())) {
                model = MixtralModel.load(c);
            }
        }
        return model;
    }

    static synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = Tokenizer.findInModelFolder(DemoModel.folder());
        }
        return tokenizer;
    }

    /** Token ids of a text, with the beginning-of-sequence token first, as the model was run in every lesson. */
    static long[] tokens(String text) {
        int[] ids = tokenizer().encode(text, true);
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** One forward pass over the text, recording every tensor (attention probabilities too if asked). */
    static Trace trace(String text, boolean attention) {
        TraceRecorder rec = TraceRecorder.all(attention);
        model().forward(tokens(text), rec);
        return rec.toTrace(model().config());
    }

    /** The piece of a token, as the vocabulary spells it (a leading \u2581 marks a space). */
    static String piece(long id) {
        return tokenizer().piece((int) id);
    }
}
