/**
 * {@code ./mixtral bench}: times this model against the published Hugging Face implementation on the same checkpoint
 * and tokens, and says how far both are from the machine's measured matrix-multiply speed. Figures: prefill of T
 * tokens (no cache) and decode (one token with the KV cache), each with recording off, routing only, and everything
 * but attention probabilities.
 */
package mixtral.bench;
