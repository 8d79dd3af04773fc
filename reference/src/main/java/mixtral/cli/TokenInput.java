package mixtral.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import mixtral.BadInputException;
import mixtral.tokenizer.Tokenizer;
import picocli.CommandLine.Option;

/** The prompt of trace and generate: token ids given directly, or text to tokenize with the model's tokenizer. */
final class TokenInput {
    @Option(names = "--tokens", split = ",", paramLabel = "ID[,ID...]", description = "Token ids, comma separated.")
    List<Long> tokens;

    @Option(names = "--prompt", paramLabel = "TEXT",
            description = "Text, tokenized with the model folder's tokenizer.model or tokenizer.json; BOS goes first.")
    String prompt;

    /** The prompt's token ids; text is encoded with the tokenizer found in {@code modelDir}, BOS first as HF does. */
    long[] ids(Path modelDir) {
        if (prompt != null) {
            if (prompt.isEmpty()) {
                throw new BadInputException("--prompt: give some text");
            }
            return Arrays.stream(tokenizer(modelDir).encode(prompt, true)).asLongStream().toArray();
        }
        if (tokens == null || tokens.isEmpty()) {
            throw new BadInputException("--tokens: give at least one token id");
        }
        return tokens.stream().mapToLong(Long::longValue).toArray();
    }

    /** The model folder's tokenizer, or null when the prompt came as ids (then there is nothing to decode with). */
    Tokenizer tokenizerIfText(Path modelDir) {
        return prompt == null ? null : tokenizer(modelDir);
    }

    private Tokenizer tokenizer;

    private Tokenizer tokenizer(Path modelDir) {
        if (tokenizer == null) {
            tokenizer = Tokenizer.findInModelFolder(modelDir);
        }
        return tokenizer;
    }
}
