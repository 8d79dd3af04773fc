package mixtral.inspector.engine;

import java.nio.file.Path;
import mixtral.config.MixtralConfig;
import mixtral.config.ConfigJson;
import mixtral.inspector.text.IdCodec;
import mixtral.inspector.text.TextCodec;
import mixtral.model.MixtralModel;
import mixtral.weights.Checkpoint;
import mixtral.weights.RandomWeights;

/**
 * The model the inspector serves, with what the page needs to say about it.
 *
 * @param name          short name for the page header
 * @param description   one honest sentence: where the weights come from and what their routing can show
 * @param randomWeights whether the weights are random (routing then shows the mechanics, not learned specialisation)
 * @param fingerprint   identifies the weights: trace ids are derived from it, so a trace never meets another model
 * @param examplePrompt the prompt the page traces on first load
 */
public record InspectedModel(String name, String description, boolean randomWeights, MixtralModel model,
                             TextCodec codec, String fingerprint, String examplePrompt) {

    public MixtralConfig config() {
        return model.config();
    }

    /**
     * The model served when no --model is given. Until the project's demo checkpoint and tokenizer land, this is a
     * small random-weight Mixtral whose prompts are token ids.
     */
    public static InspectedModel demo() {
        MixtralConfig c = new MixtralConfig(64, 128, 6, 4, 2, 16, 8, 2, 256, 1e6, 1e-5, 1024, null, false);
        return random(c, 7, "demo (random weights)");
    }

    /** Deterministic random weights: for the demo and for tests. */
    public static InspectedModel random(MixtralConfig c, long seed, String name) {
        return new InspectedModel(name,
                "Random weights (seed " + seed + "): the router is a random linear map, so the routing shows how "
                        + "Mixtral's top-" + c.numExpertsPerTok() + " gating works, not what trained experts learn.",
                true, MixtralModel.load(new RandomWeights(c, seed)), new IdCodec(),
                "random:" + seed + ":" + ConfigJson.toHuggingFace(c), "1 17 42 9 200 42 9 77 3 128 64 5");
    }

    /** A checkpoint folder (HF or Mistral-native), loaded into memory. */
    public static InspectedModel fromFolder(Path dir) {
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            MixtralModel model = MixtralModel.load(checkpoint);
            Path abs = dir.toAbsolutePath().normalize();
            return new InspectedModel(abs.getFileName().toString(),
                    "Checkpoint " + abs + " (" + checkpoint.layout() + " layout).",
                    false, model, new IdCodec(), "checkpoint:" + abs + ":" + ConfigJson.toHuggingFace(model.config()),
                    "1 17 42 9");
        }
    }
}
