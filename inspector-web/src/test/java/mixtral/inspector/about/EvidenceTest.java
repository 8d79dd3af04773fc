package mixtral.inspector.about;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.config.MixtralConfig;
import mixtral.inspector.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evidence file is served only when its shapes fit the model and it names these weights. */
class EvidenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIXTURE_SHA = "0".repeat(64);

    /** The hand-made fixture: plausible numbers in the format of ./mixtral evidence, for a 6-layer, 8-expert model. */
    static ObjectNode fixture() throws IOException {
        try (InputStream in = EvidenceTest.class.getResourceAsStream("/evidence/fixture.json")) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    static MixtralConfig config() {
        return Fixtures.demo().config();
    }

    @Test
    void evidenceThatFitsTheModelAndNamesItsWeightsIsServedAsItIs() throws IOException {
        ObjectNode json = fixture();
        Evidence e = Evidence.check(json, config(), "sha256:" + FIXTURE_SHA);
        assertNull(e.absence());
        assertEquals(json, e.json().orElseThrow());
    }

    @Test
    void evidenceComputedOnOtherWeightsIsRefusedNamingBothDigests() throws IOException {
        Evidence e = Evidence.check(fixture(), config(), "ab".repeat(32));
        assertTrue(e.json().isEmpty());
        assertTrue(e.absence().contains("other weights") && e.absence().contains("000000000000")
                && e.absence().contains("abababababab"), e.absence());
    }

    @Test
    void aLayerCountThatDiffersFromTheModelsIsRefused() throws IOException {
        ObjectNode json = fixture();
        ((ObjectNode) json.get("model")).put("layers", 5);
        Evidence e = Evidence.check(json, config(), FIXTURE_SHA);
        assertTrue(e.absence().contains("/model/layers is 5, the model has 6"), e.absence());
    }

    @Test
    void aStatisticWithTheWrongShapeIsRefusedNamingWhere() throws IOException {
        ObjectNode json = fixture();
        ((ArrayNode) json.at("/random/first_choice/2/1")).remove(7);
        Evidence e = Evidence.check(json, config(), FIXTURE_SHA);
        assertTrue(e.absence().contains("random.first_choice[2][1] should be a list of 8, is a list of 7"), e.absence());
        assertFalse(e.absence().contains("\n"));
    }

    @Test
    void aMissingStatisticIsRefusedNamingIt() throws IOException {
        ObjectNode json = fixture();
        ((ObjectNode) json.get("trained")).remove("repeat_either");
        assertTrue(Evidence.check(json, config(), FIXTURE_SHA).absence().contains("trained.repeat_either"));
        JsonNode noChance = fixture();
        ((ObjectNode) noChance.get("chance")).put("repeat_first", "often");
        assertTrue(Evidence.check(noChance, config(), FIXTURE_SHA).absence().contains("chance.repeat_first"));
    }

    @Test
    void theDigestIsWhatSha256sumPrints(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("abc");
        Files.writeString(f, "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", mixtral.evidence.Sha256.of(f));
    }
}
