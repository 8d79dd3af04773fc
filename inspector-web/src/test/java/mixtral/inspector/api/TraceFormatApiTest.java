package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mixtral.inspector.Fixtures;
import mixtral.inspector.InspectorApp;
import mixtral.inspector.engine.Inspector;
import mixtral.trace.TraceTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page learns the trace format from the server, which answers from its one definition, {@link TraceTensor}. */
class TraceFormatApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PAGE_SCRIPTS = Path.of("src", "main", "resources", "public", "js");

    @TempDir
    Path data;

    @Test
    void traceFormatListsEveryTensorOfTheDefinitionInForwardOrderAndTheSummaryOffersItsNormViews() {
        Inspector inspector = Fixtures.inspector(data);
        String id = inspector.traceExample();
        JavalinTest.test(InspectorApp.create(inspector), (server, client) -> {
            JsonNode f = JSON.readTree(client.get("/api/trace-format").body().string());
            List<String> names = new ArrayList<>();
            f.get("tensors").forEach(t -> names.add(t.get("name").asText()));
            assertEquals(Arrays.stream(TraceTensor.values()).map(TraceTensor::pattern).toList(), names);
            JsonNode moeOut = f.get("tensors").get(TraceTensor.MOE_OUT.ordinal());
            assertEquals(List.of("T", "D"), List.of(moeOut.get("shape").get(0).asText(), moeOut.get("shape").get(1).asText()));
            assertEquals("F32", moeOut.get("dtype").asText());

            JsonNode summary = JSON.readTree(client.get("/api/traces/" + id).body().string());
            List<String> norms = new ArrayList<>();
            summary.get("norms").fieldNames().forEachRemaining(norms::add);
            List<String> offered = new ArrayList<>();
            f.get("normViews").forEach(n -> offered.add(n.asText()));
            assertEquals(offered, norms);
        });
    }

    @Test
    void noPageScriptSpellsATensorNameOfTheFormat() throws IOException {
        List<String> found = spelledNames(PAGE_SCRIPTS);
        assertEquals(List.of(), found, "the page must take these from GET /api/trace-format");
    }

    @Test
    void aScriptThatSpellsATensorNameIsFound() throws IOException {
        Path dir = Files.createDirectories(data.resolve("js"));
        Files.writeString(dir.resolve("bad.js"), "const norm = 'attn.out';\n// resid_post in a comment is fine\n");
        assertEquals(List.of("bad.js: 'attn.out'"), spelledNames(dir));
    }

    /** String literals (quoted or template) in the scripts under {@code dir} that equal a leaf of the format. */
    private static List<String> spelledNames(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path js : files.filter(p -> p.toString().endsWith(".js")).sorted().toList()) {
                String text = Files.readString(js);
                for (TraceTensor t : TraceTensor.values()) {
                    var m = Pattern.compile("(['\"`])" + Pattern.quote(t.leaf()) + "\\1").matcher(text);
                    while (m.find()) {
                        found.add(dir.relativize(js) + ": " + m.group());
                    }
                }
            }
        }
        return found;
    }
}
