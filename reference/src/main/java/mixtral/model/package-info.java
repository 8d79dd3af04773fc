/**
 * The Mixtral forward pass, one class per part, in reading order: {@link mixtral.model.RmsNorm},
 * {@link mixtral.model.Rope}, {@link mixtral.model.Attention} with its {@link mixtral.model.KvCache},
 * {@link mixtral.model.Expert}, {@link mixtral.model.Router}, {@link mixtral.model.SparseMoe},
 * {@link mixtral.model.DecoderLayer}, {@link mixtral.model.MixtralModel}.
 *
 * <p>Shape legend: T tokens in this call, S tokens attended to (cached + new), D hidden, H heads, KV kv heads,
 * Hd head dim, F expert hidden, E experts, K experts per token, V vocab. Tokens are rows: there is no batch axis.
 * Every array is float32.
 */
package mixtral.model;
