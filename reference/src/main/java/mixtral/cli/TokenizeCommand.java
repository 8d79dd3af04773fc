package mixtral.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import mixtral.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Split text into Mixtral tokens: print each token's id and piece (▁ is a space, <0xNN> a byte).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--tokenizer", paramLabel = "FILE", required = true,
            description = "A tokenizer.model or tokenizer.json, or a model folder holding one.")
    Path tokenizer;

    @Option(names = "--bos", description = "Start with the beginning-of-sequence token <s>.")
    boolean bos;

    @Option(names = "--json", description = "Print one JSON object {\"ids\": [...], \"pieces\": [...]}.")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "The text (several arguments are joined by one space).")
    List<String> text;

    @Override
    public Integer call() throws JsonProcessingException {
        Tokenizer tok = Files.isDirectory(tokenizer) ? Tokenizer.findInModelFolder(tokenizer) : Tokenizer.load(tokenizer);
        int[] ids = tok.encode(String.join(" ", text), bos);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(tok.piece(id));
        }
        // UTF-8 whatever the platform's default, so that ▁, accents and emoji survive a POSIX locale.
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        if (json) {
            Map<String, Object> obj = new LinkedHashMap<>();
            obj.put("ids", ids);
            obj.put("pieces", pieces);
            out.println(new ObjectMapper().writeValueAsString(obj));
        } else {
            out.printf("%5s %7s  %s%n", "#", "id", "piece");
            for (int i = 0; i < ids.length; i++) {
                out.printf("%5d %7d  %s%n", i, ids[i], describe(pieces.get(i)));
            }
            out.printf("%d tokens%n", ids.length);
        }
        out.flush();
        return Main.OK;
    }

    /** A byte piece gets the byte's meaning beside it; other pieces are shown as they are. */
    private static String describe(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            int b = Integer.parseInt(piece.substring(3, 5), 16);
            String control = b == '\n' ? "\\n" : b == '\t' ? "\\t" : b == '\r' ? "\\r" : "U+00" + piece.substring(3, 5);
            String what = b < 0x20 || b == 0x7F ? "control " + control
                    : b < 0x80 ? "'" + (char) b + "'"
                    : b >= 0xC0 ? "starts a " + (b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2) + "-byte UTF-8 character"
                    : "continues a UTF-8 character";
            return piece + "   (byte: " + what + ")";
        }
        return piece;
    }
}
