package mixtral.hub;

import java.util.List;
import java.util.Set;

/**
 * Which files of a repository a model folder needs: configuration, tokenizer and safetensors weights. Pickle weights
 * ({@code .bin}, {@code .pt}) are never fetched. A repository that holds both layouts (Hugging Face shards and
 * Mistral's {@code consolidated.safetensors}) gets only the Hugging Face files, so the weights come down once.
 */
final class FileSelection {
    private static final Set<String> SMALL = Set.of("config.json", "params.json", "generation_config.json",
            "tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

    private FileSelection() {}

    static List<RepoFile> choose(List<RepoFile> files) {
        boolean hf = files.stream().anyMatch(f -> f.name().equals("config.json"))
                && files.stream().anyMatch(f -> isWeights(f) && !isConsolidated(f));
        return files.stream()
                .filter(f -> !f.name().contains("/"))
                .filter(f -> SMALL.contains(f.name()) || (isWeights(f) && (hf ? !isConsolidated(f) : isConsolidated(f)))
                        || (hf && f.name().equals("model.safetensors.index.json")))
                .filter(f -> !hf || !f.name().equals("params.json"))
                .toList();
    }

    private static boolean isWeights(RepoFile f) {
        return f.name().endsWith(".safetensors");
    }

    private static boolean isConsolidated(RepoFile f) {
        return f.name().startsWith("consolidated");
    }
}
