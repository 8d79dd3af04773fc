package mixtral.inspector.about;

import java.util.List;

/**
 * What the page says about a model beyond its one-sentence description: where its weights come from. The sizes are
 * not repeated here: the page takes them from the configuration and the weight files, so they cannot go stale.
 *
 * @param facts labelled paragraphs (data, tokenizer, training), in the order shown
 * @param docs  where to read more, as paths in the project's repository (the server does not serve them)
 */
public record ModelCard(List<Fact> facts, List<Doc> docs) {
    public record Fact(String label, String text) {}

    public record Doc(String label, String path) {}

    /** The embedded demo model as trained for issue 9 ({@code trained-model/README.md} has the commands). */
    public static final ModelCard DEMO = new ModelCard(List.of(
            new Fact("data", "Text from Debian packages, read from their installed files: the Debian reference, "
                    + "manual pages and fortunes in English, French, German, Spanish and Italian, and code: Java from "
                    + "openjdk-17-source, Python from the Python 3.11 standard library. About 15M tokens of training "
                    + "text; 5% of every source is held out and never trained on."),
            new Fact("tokenizer", "SentencePiece BPE with byte fallback, 4,000 pieces, trained on an equal share of "
                    + "each language and of code."),
            new Fact("training", "The published implementation, Hugging Face transformers v4.38.2 "
                    + "MixtralForCausalLM on PyTorch (CPU): 3,000 steps of 12 sequences of 256 tokens, two of each "
                    + "group per batch (9.2M tokens, about 0.6 of an epoch); next-token loss plus Mixtral's router "
                    + "load-balancing loss with coefficient 0.02; AdamW, peak learning rate 3e-3, cosine decay.")),
            List.of(new Doc("how it was made, step by step", "trained-model/README.md"),
                    new Doc("what its routing learned, layer by layer", "docs/evidence.md")));
}
