package mixtral.inspector.about;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.EvidenceReport;
import mixtral.inspector.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evidence is shown only when it is about a model of this shape and names these weights. */
class EvidenceTest {
    static final String FIXTURE = "/evidence/fixture.json";
    private static final ObjectMapper TREE = new ObjectMapper();
    private static final String FIXTURE_SHA = "0".repeat(64);

    /** The hand-made fixture (plausible numbers for a 6-layer, 8-expert model), read by the one reader. */
    static EvidenceReport fixture() throws IOException {
        try (InputStream in = EvidenceTest.class.getResourceAsStream(FIXTURE)) {
            return EvidenceJson.read(in, FIXTURE);
        }
    }

    static MixtralConfig config() {
        return Fixtures.demo().config();
    }

    @Test
    void theFixtureIsValidEvidenceAndAFixtureWithARenamedKeyIsRefused() throws IOException {
        assertEquals(6, fixture().model().layers());
        ObjectNode renamed;
        try (InputStream in = EvidenceTest.class.getResourceAsStream(FIXTURE)) {
            renamed = (ObjectNode) TREE.readTree(in);
        }
        ObjectNode heldout = (ObjectNode) renamed.get("heldout");
        heldout.set("windowTokens", heldout.remove("window_tokens"));
        BadInputException e = assertThrows(BadInputException.class, () -> EvidenceJson.read(
                new ByteArrayInputStream(TREE.writeValueAsBytes(renamed)), FIXTURE));
        assertTrue(e.getMessage().contains("heldout.window"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void evidenceThatFitsTheModelAndNamesItsWeightsIsShown() throws IOException {
        EvidenceReport r = fixture();
        Evidence e = Evidence.check(r, config(), "sha256:" + FIXTURE_SHA);
        assertNull(e.absence());
        assertSame(r, e.report().orElseThrow());
    }

    @Test
    void evidenceComputedOnOtherWeightsIsRefusedNamingBothDigests() throws IOException {
        Evidence e = Evidence.check(fixture(), config(), "ab".repeat(32));
        assertTrue(e.report().isEmpty());
        assertTrue(e.absence().contains("other weights") && e.absence().contains("000000000000")
                && e.absence().contains("abababababab"), e.absence());
    }

    @Test
    void evidenceAboutAModelOfAnotherShapeIsRefused() throws IOException {
        EvidenceReport r = fixture();
        EvidenceReport.Model m = r.model();
        EvidenceReport fewer = new EvidenceReport(r.what(), r.command(), new EvidenceReport.Model(5, m.experts(),
                m.topK(), m.parameters(), m.safetensorsSha256()), r.heldout(), r.groups(), r.trained(), r.random(),
                r.chance());
        Evidence e = Evidence.check(fewer, config(), FIXTURE_SHA);
        assertTrue(e.absence().contains("about a model of 5 layers of 8 experts, top-2, this one has 6 layers"),
                e.absence());
    }

    @Test
    void theDigestIsWhatSha256sumPrints(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("abc");
        Files.writeString(f, "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", mixtral.evidence.Sha256.of(f));
    }
}
