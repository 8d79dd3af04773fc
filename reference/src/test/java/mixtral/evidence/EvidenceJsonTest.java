package mixtral.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import mixtral.BadInputException;
import org.junit.jupiter.api.Test;

/** The one reader of evidence.json: the shipped file reads back to what writes it, and a file off the schema is refused. */
public class EvidenceJsonTest {
    static final String SHIPPED = "/demo-model/evidence.json";
    private static final ObjectMapper TREE = new ObjectMapper();

    static String shippedText() throws IOException {
        try (InputStream in = EvidenceJsonTest.class.getResourceAsStream(SHIPPED)) {
            assertTrue(in != null, SHIPPED + " is missing from the build: ./mixtral evidence writes it");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static EvidenceReport shipped() throws IOException {
        return EvidenceJson.read(new ByteArrayInputStream(shippedText().getBytes(StandardCharsets.UTF_8)), SHIPPED);
    }

    /** The shipped file with one change, read by the one reader: the one-line refusal. */
    private static String refusal(Consumer<ObjectNode> change) throws IOException {
        ObjectNode json = (ObjectNode) TREE.readTree(shippedText());
        change.accept(json);
        return refusal(TREE.writeValueAsString(json));
    }

    private static String refusal(String text) {
        BadInputException e = assertThrows(BadInputException.class, () -> EvidenceJson.read(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "e.json"));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("e.json: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void theShippedFileIsExactlyWhatTheRecordsWriteBack() throws IOException {
        assertEquals(shippedText(), EvidenceJson.toJson(shipped()), "every key read is a key written, in order");
    }

    @Test
    void aRenamedKeyIsRefusedNamingTheKeyMissingOrTheKeyUnknown() throws IOException {
        String why = refusal(j -> {
            ObjectNode trained = (ObjectNode) j.get("trained");
            trained.set("firstChoice", trained.remove("first_choice"));
        });
        assertTrue(why.endsWith("trained.first_choice is missing"), why);
        why = refusal(j -> ((ObjectNode) j.get("model")).put("topK", 2));
        assertTrue(why.contains("model.topK is not a key") && why.contains("top_k"), why);
    }

    @Test
    void aMissingKeyIsRefusedNamingIt() throws IOException {
        String why = refusal(j -> ((ObjectNode) j.get("chance")).remove("repeat_either"));
        assertTrue(why.contains("chance.repeat_either is missing"), why);
        why = refusal(j -> j.remove("random"));
        assertTrue(why.contains("random is missing"), why);
        why = refusal(j -> j.putNull("groups"));
        assertTrue(why.contains("groups"), why);
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNamingItsKey() throws IOException {
        String why = refusal(j -> ((ObjectNode) j.get("chance")).put("repeat_first", "often"));
        assertTrue(why.contains("chance.repeat_first"), why);
        why = refusal(j -> ((ObjectNode) j.get("model")).put("layers", 6.5));
        assertTrue(why.contains("model.layers"), why);
        why = refusal(j -> ((ArrayNode) j.at("/trained/repeat_first")).set(0, TREE.nullNode()));
        assertTrue(why.contains("trained.repeat_first[0]"), why);
    }

    @Test
    void aStatisticOfTheWrongShapeIsRefusedNamingWhere() throws IOException {
        String why = refusal(j -> ((ArrayNode) j.at("/random/first_choice/2/1")).remove(7));
        assertTrue(why.endsWith("random.first_choice[2][1] should be a list of 8, is a list of 7"), why);
        why = refusal(j -> ((ArrayNode) j.at("/trained/repeat_either_by_group")).remove(0));
        assertTrue(why.endsWith("trained.repeat_either_by_group should be a list of 6, is a list of 5"), why);
        why = refusal(j -> ((ObjectNode) j.get("model")).put("experts", 7));
        assertTrue(why.contains("trained.load[0][0] should be a list of 7, is a list of 8"), why);
    }

    @Test
    void groupsAndTheirTokenCountsMustAgree() throws IOException {
        String why = refusal(j -> ((ObjectNode) j.at("/heldout/tokens")).remove("code"));
        assertTrue(why.contains("heldout.tokens should count the groups"), why);
        why = refusal(j -> {
            ((ArrayNode) j.get("groups")).set(5, TREE.getNodeFactory().textNode("en"));
            ((ObjectNode) j.at("/heldout/tokens")).remove("code");
        });
        assertTrue(why.contains("groups is not a list of distinct names"), why);
    }

    @Test
    void somethingThatIsNotJsonIsOneLine() {
        assertTrue(refusal("{\"what\": ").contains("not JSON"));
        assertTrue(refusal("[]").contains("not evidence.json"));
        assertTrue(refusal("{\"what\": \"a\", \"what\": \"b\"}").contains("what"));
    }

    /** The absolute paths a command names: words that start with / or ~ once the shell's quotes are gone. */
    public static List<String> absolutePaths(String command) {
        return Arrays.stream(command.replace("'", " ").split("\\s+"))
                .filter(w -> w.startsWith("/") || w.startsWith("~") || w.matches("[A-Za-z]:\\\\.*")).toList();
    }

    @Test
    void theShippedEvidenceNamesCommandsThatMakeItAgainFromAFreshClone() throws IOException {
        String command = shipped().command();
        assertTrue(command.startsWith(HeldoutSet.CORPUS_STEP + " && ./mixtral evidence"), "corpus step first: " + command);
        assertEquals(absolutePaths(HeldoutSet.CORPUS_STEP), absolutePaths(command),
                "no path of the machine that made it, only Debian's Python: " + command);
        assertEquals(List.of("/usr/bin/python3", "/work/x/heldout"),
                absolutePaths(command + " --heldout '/work/x/heldout'"), "the check sees a machine's path");
    }
}
