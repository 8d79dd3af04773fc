package mixtral.inspector.text;

/**
 * How the inspector turns a prompt into token ids and ids back into pieces. This is the seam between the web app and
 * a tokenizer: the real SentencePiece tokenizer plugs in behind it, and {@link IdCodec} stands in for models that
 * have none.
 */
public interface TextCodec {
    /** The ids of a prompt, including a leading BOS token when the tokenizer has one. */
    long[] encode(String text);

    /** The text of a token sequence. */
    String decode(long[] ids);

    /** The vocabulary piece of one id as the tokenizer stores it, e.g. {@code ▁Bon}, {@code <0xC3>}, {@code <s>}. */
    String piece(int id);

    /** One line for the page: what kind of text the prompt box expects. */
    String description();
}
