package mixtral.config;

/** One layout's configuration file, bound by Jackson from its keys: Hugging Face's or Mistral's. */
sealed interface ConfigFile permits HuggingFaceConfigJson, MistralParamsJson {
    /** The configuration the file describes; refuses, by key, what this implementation cannot run. */
    MixtralConfig toConfig();

    /** The head width the file gives, or the one every published Mixtral has: the model width over the heads. */
    static int headDim(Integer given, String key, String widthKey, int width, String headsKey, int heads) {
        if (given != null) {
            return given;
        }
        if (heads <= 0 || width % heads != 0) {
            throw MixtralConfig.invalid("key '" + widthKey + "' (" + width + ") is not a multiple of " + headsKey
                    + " (" + heads + ") and no " + key + " is given");
        }
        return width / heads;
    }
}
