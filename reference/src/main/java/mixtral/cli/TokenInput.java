package mixtral.cli;

import java.util.List;
import mixtral.BadInputException;
import picocli.CommandLine.Option;

/** The prompt of trace and generate: token ids given directly, or text to tokenize with the model's tokenizer. */
final class TokenInput {
    @Option(names = "--tokens", split = ",", paramLabel = "ID[,ID...]", description = "Token ids, comma separated.")
    List<Long> tokens;

    long[] ids() {
        if (tokens == null || tokens.isEmpty()) {
            throw new BadInputException("--tokens: give at least one token id");
        }
        return tokens.stream().mapToLong(Long::longValue).toArray();
    }
}
