package mixtral.bench;

/**
 * One thing to time: a prefill of {@code tokens} tokens with no cache, or (decode) one token at a time after a prompt of
 * {@code tokens} tokens, with the KV cache.
 */
public record Figure(String name, boolean decode, int tokens) {
    public static Figure prefill(int tokens) {
        return new Figure("prefill_" + tokens, false, tokens);
    }

    public static Figure decodeAfter(int promptTokens) {
        return new Figure("decode", true, promptTokens);
    }

    /** Tokens one timed run processes. */
    public int tokensPerRun() {
        return decode ? 1 : tokens;
    }
}
