package mixtral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mixtral.config.MixtralConfig;
import mixtral.demo.DemoModel;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.EvidenceJsonTest;
import mixtral.evidence.EvidenceReport;
import mixtral.evidence.HeldoutSet;
import mixtral.evidence.RoutingEvidence;
import mixtral.tokenizer.Tokenizer;
import mixtral.weights.CheckpointWriter;
import mixtral.weights.Layout;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
    void writesEvidenceTheOneReaderReadsWithRowsSummingToOne() throws Exception {
        String[] r = evidence("--windows", "2", "--random-seed", "7");
        assertEquals("0", r[0], r[2]);
        EvidenceReport j = EvidenceJson.read(dir.resolve("e.json"));
        assertEquals(EvidenceJson.toJson(j), Files.readString(dir.resolve("e.json")), "the file is the record, written");
        assertTrue(j.command().startsWith(HeldoutSet.CORPUS_STEP + " && ./mixtral evidence --model "), j.command());
        assertEquals(new EvidenceReport.Model(LAYERS, EXPERTS, 2, j.model().parameters(), j.model().safetensorsSha256()),
                j.model());
        assertEquals(64, j.model().safetensorsSha256().length());
        assertEquals(256, j.heldout().windowTokens());
        assertEquals(2, j.heldout().windowsPerSource());
        assertEquals(64, j.heldout().manifestSha256().length());
        assertEquals(GROUPS, j.groups());
        assertEquals(2 * 2 * 255, j.heldout().tokens().get("en"), "two sources, 2 windows each, BOS left out");
        assertEquals(2 * 255, j.heldout().tokens().get("code"));
        for (RoutingEvidence s : List.of(j.trained(), j.random())) {
            for (double[][][] shares : List.of(s.load(), s.firstChoice())) {
                for (double[][] layer : shares) {
                    for (double[] row : layer) {
                        assertTrue(Arrays.stream(row).allMatch(v -> v >= 0 && v <= 1), Arrays.toString(row));
                        assertEquals(1.0, Arrays.stream(row).sum(), 2e-3,
                                "a row sums to 1 (4 significant digits each): " + Arrays.toString(row));
                    }
                }
            }
            for (int l = 0; l < LAYERS; l++) {
                double mi = s.mutualInformationBits()[l];
                assertTrue(mi >= 0 && mi <= Math.log(GROUPS.size()) / Math.log(2), "MI " + mi);
                double acc = s.classifierAccuracy()[l];
                assertTrue(acc >= 1.0 / GROUPS.size() - 1e-3 && acc <= 1, "accuracy " + acc);
                for (double[] repeats : List.of(s.repeatFirst(), s.repeatEither(), s.repeatFirstByGroup()[l],
                        s.repeatEitherByGroup()[l])) {
                    assertTrue(Arrays.stream(repeats).allMatch(v -> v >= 0 && v <= 1), Arrays.toString(repeats));
                }
                assertTrue(s.repeatEither()[l] >= s.repeatFirst()[l], "a same first choice is also a shared expert");
            }
        }
        assertFalse(Arrays.deepEquals(j.trained().firstChoice(), j.random().firstChoice()),
                "a random model of another seed routes differently");
        assertEquals(new EvidenceReport.Chance(0, 0.3333, 0.125, 0.4643), j.chance());

        String md = Files.readString(dir.resolve("e.md"));
        assertTrue(md.startsWith("# Routing evidence"), md);
        assertTrue(md.contains("Generated by `" + j.command() + "` at the root of a clone"), "how to make it again");
        assertTrue(md.contains("### Layer 1"), md);
        assertTrue(r[1].contains("wrote "), r[1]);
    }

    @Test
    void theCommandItRecordsWorksFromAFreshCloneCorpusStepFirst(@TempDir Path clone) {
        CommandLine cli = new CommandLine(new EvidenceCommand());
        cli.parseArgs("--heldout", clone.resolve("trained-model/heldout").toString(), "--model",
                clone.resolve("trained-model/out").toString(), "--windows", "24", "--note", "Step 3,000's weights.",
                "--manifest", "trained-model/corpus-manifest.json");
        String command = EvidenceCommand.command(cli.getParseResult(), clone);
        assertEquals(HeldoutSet.CORPUS_STEP + " && ./mixtral evidence --model trained-model/out --note "
                + "'Step 3,000'\\''s weights.'", command, "paths under the root relative to it, defaults left out");
        assertEquals(EvidenceJsonTest.absolutePaths(HeldoutSet.CORPUS_STEP), EvidenceJsonTest.absolutePaths(command));

        cli.parseArgs("--heldout", dir.resolve("elsewhere").toString());
        assertEquals(HeldoutSet.CORPUS_STEP + " && ./mixtral evidence --heldout " + dir.resolve("elsewhere"),
                EvidenceCommand.command(cli.getParseResult(), clone), "data outside the clone stays as given");
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
}
