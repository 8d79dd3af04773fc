package mixtral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mixtral.config.MixtralConfig;
import mixtral.demo.DemoModel;
import mixtral.tokenizer.Tokenizer;
import mixtral.weights.CheckpointWriter;
import mixtral.weights.Layout;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mixtral evidence} on a tiny random checkpoint and a synthetic held-out folder of three groups. */
class EvidenceCommandTest {
    private static final List<String> GROUPS = List.of("en", "de", "code");
    private static final int LAYERS = 2;
    private static final int EXPERTS = 8;

    @TempDir
    Path dir;
    private Path model;
    private Path heldout;
    private Path manifest;

    @BeforeEach
    void tinyModelAndHeldoutText() throws Exception {
        model = dir.resolve("model");
        MixtralConfig c = MixtralConfig.builder()
                .hiddenSize(32).intermediateSize(48).numHiddenLayers(LAYERS)
                .numAttentionHeads(4).numKeyValueHeads(2).headDim(8)
                .numLocalExperts(EXPERTS).numExpertsPerTok(2).vocabSize(Tokenizer.demo().vocabSize())
                .ropeTheta(1e6).rmsNormEps(1e-5).maxPositionEmbeddings(4096)
                .build();
        new CheckpointWriter(Layout.HUGGING_FACE).write(new RandomWeights(c, 3), model);
        Files.copy(DemoModel.folder().resolve("tokenizer.model"), model.resolve("tokenizer.model"));
        heldout = Files.createDirectory(dir.resolve("heldout"));
        write("fortunes-en", "The weather turned cold overnight, and the lake was covered in thin ice by morning.");
        write("manpages-en", "Print the lines of each file that match the pattern, and exit when no file is left.");
        write("fortunes-de", "Am Wochenende fahren wir mit dem Fahrrad an den See und machen ein Picknick.");
        write("python", "def softmax(xs):\n    m = max(xs)\n    return [math.exp(x - m) for x in xs]");
        manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, """
                {"holdout_every": 20, "sources": [
                  {"source": "fortunes-en", "language": "en", "package": "fortunes"},
                  {"source": "fortunes-de", "language": "de"},
                  {"source": "python", "language": "code"},
                  {"source": "manpages-en", "language": "en"}]}
                """);
    }

    /** 40 numbered paragraphs of the sentence: several windows of 256 tokens. */
    private void write(String source, String sentence) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            b.append(i).append(". ").append(sentence).append("\n\n");
        }
        Files.writeString(heldout.resolve(source + ".txt"), b);
    }

    /** Runs the command on the test's model and data, writing into the temporary folder unless told otherwise. */
    private String[] evidence(String... more) {
        List<String> args = new ArrayList<>(List.of("evidence", "--model", model.toString(), "--heldout",
                heldout.toString(), "--manifest", manifest.toString()));
        args.addAll(List.of(more));
        if (!args.contains("--json")) {
            args.addAll(List.of("--json", dir.resolve("e.json").toString()));
        }
        args.addAll(List.of("--markdown", dir.resolve("e.md").toString()));
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void writesTheDocumentedJsonWithRowsSummingToOne() throws Exception {
        String[] r = evidence("--windows", "2", "--random-seed", "7");
        assertEquals("0", r[0], r[2]);
        JsonNode j = new ObjectMapper().readTree(dir.resolve("e.json").toFile());
        assertEquals(List.of("what", "command", "model", "heldout", "groups", "trained", "random", "chance"),
                fieldNames(j));
        assertTrue(j.get("command").asText().startsWith("./mixtral evidence --model "), j.get("command").asText());
        assertEquals(LAYERS, j.at("/model/layers").asInt());
        assertEquals(EXPERTS, j.at("/model/experts").asInt());
        assertEquals(2, j.at("/model/top_k").asInt());
        assertEquals(64, j.at("/model/safetensors_sha256").asText().length());
        assertEquals(256, j.at("/heldout/window_tokens").asInt());
        assertEquals(2, j.at("/heldout/windows_per_source").asInt());
        assertEquals(64, j.at("/heldout/manifest_sha256").asText().length());
        assertEquals(GROUPS, List.of(new ObjectMapper().treeToValue(j.get("groups"), String[].class)));
        assertEquals(2 * 2 * 255, j.at("/heldout/tokens/en").asLong(), "two sources, 2 windows each, BOS left out");
        assertEquals(2 * 255, j.at("/heldout/tokens/code").asLong());
        for (String model : List.of("trained", "random")) {
            JsonNode s = j.get(model);
            assertEquals(List.of("load", "first_choice", "mutual_information_bits", "classifier_accuracy",
                    "repeat_first", "repeat_first_by_group", "repeat_either", "repeat_either_by_group"), fieldNames(s));
            for (String key : List.of("load", "first_choice")) {
                assertEquals(LAYERS, s.get(key).size(), key);
                for (JsonNode layer : s.get(key)) {
                    assertEquals(GROUPS.size(), layer.size(), key);
                    for (JsonNode row : layer) {
                        assertEquals(EXPERTS, row.size(), key);
                        double sum = 0;
                        for (JsonNode v : row) {
                            assertTrue(v.asDouble() >= 0 && v.asDouble() <= 1, key + ": " + row);
                            sum += v.asDouble();
                        }
                        assertEquals(1.0, sum, 2e-3, key + " row sums to 1 (4 significant digits each): " + row);
                    }
                }
            }
            for (int l = 0; l < LAYERS; l++) {
                double mi = s.get("mutual_information_bits").get(l).asDouble();
                assertTrue(mi >= 0 && mi <= Math.log(GROUPS.size()) / Math.log(2), model + " MI " + mi);
                double acc = s.get("classifier_accuracy").get(l).asDouble();
                assertTrue(acc >= 1.0 / GROUPS.size() - 1e-3 && acc <= 1, model + " accuracy " + acc);
                for (String key : List.of("repeat_first", "repeat_either")) {
                    assertTrue(s.get(key).get(l).asDouble() >= 0 && s.get(key).get(l).asDouble() <= 1, key);
                    assertEquals(GROUPS.size(), s.get(key + "_by_group").get(l).size(), key);
                }
                assertTrue(s.get("repeat_either").get(l).asDouble() >= s.get("repeat_first").get(l).asDouble(),
                        "a same first choice is also a shared expert");
            }
        }
        assertTrue(!j.get("trained").equals(j.get("random")), "a random model of another seed routes differently");
        assertEquals(0.0, j.at("/chance/mutual_information_bits").asDouble());
        assertEquals(0.3333, j.at("/chance/classifier_accuracy").asDouble(), 1e-4);
        assertEquals(0.125, j.at("/chance/repeat_first").asDouble());
        assertEquals(0.4643, j.at("/chance/repeat_either").asDouble(), 1e-4);

        String md = Files.readString(dir.resolve("e.md"));
        assertTrue(md.startsWith("# Routing evidence"), md);
        assertTrue(md.contains("Generated by `./mixtral evidence --model "), "the header says how to regenerate it");
        assertTrue(md.contains("### Layer 1"), md);
        assertTrue(r[1].contains("wrote "), r[1]);
    }

    @Test
    void theSameInputsGiveTheSameFile() throws Exception {
        assertEquals("0", evidence("--windows", "1")[0]);
        String first = Files.readString(dir.resolve("e.json"));
        assertEquals("0", evidence("--windows", "1")[0]);
        assertEquals(first, Files.readString(dir.resolve("e.json")));
        assertTrue(first.lines().count() < 120, "inner arrays on one line each:\n" + first);
    }

    @Test
    void aMissingHeldoutFileIsOneLineNamingItAndTheScriptThatMakesIt() throws Exception {
        Files.delete(heldout.resolve("python.txt"));
        String[] r = evidence();
        assertEquals("2", r[0], r[2]);
        assertOneLine(r[2]);
        assertTrue(r[2].contains("python.txt") && r[2].contains("build_corpus.py"), r[2]);
        assertTrue(Files.notExists(dir.resolve("e.json")), "nothing written");
    }

    @Test
    void aMalformedManifestIsOneLine() throws Exception {
        for (String bad : List.of("{\"sources\": [", "{\"sources\": 3}", "{\"files\": []}",
                "{\"sources\": [{\"source\": \"python\"}]}", "{\"sources\": [{\"source\": \"../x\", \"language\": \"en\"}]}")) {
            Files.writeString(manifest, bad);
            String[] r = evidence();
            assertEquals("2", r[0], bad + " -> " + r[2]);
            assertOneLine(r[2]);
            assertTrue(r[2].contains(manifest.toString()), r[2]);
        }
        Files.delete(manifest);
        assertEquals("2", evidence()[0]);
    }

    @Test
    void otherBadInputIsOneLine() {
        assertOneLine(evidence("--windows", "0")[2]);
        String[] r = evidence("--json", dir.resolve("no/such/folder/e.json").toString());
        assertEquals("2", r[0]);
        assertOneLine(r[2]);
    }

    private static void assertOneLine(String err) {
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("mixtral: "), err);
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
