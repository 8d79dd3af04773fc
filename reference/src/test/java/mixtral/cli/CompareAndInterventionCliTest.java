package mixtral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import mixtral.compare.Margins;
import mixtral.model.Routing;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.w3c.dom.Element;

/** ./mixtral trace with interventions and ./mixtral compare, as a user runs them: exit codes, files, one-line errors. */
class CompareAndInterventionCliTest {
    private static final String TOKENS = "1,5,9,200,3,77,12,40";

    @TempDir
    static Path dir;
    static Path model;
    static Path a;

    @BeforeAll
    static void traceTheTinyModel() {
        model = dir.resolve("m");
        assertEquals("0", CliTest.run("random-checkpoint", "--out", model.toString())[0]);
        a = dir.resolve("a.safetensors");
        String[] r = CliTest.run("trace", "--model", model.toString(), "--tokens", TOKENS, "--out", a.toString());
        assertEquals("0", r[0], r[2]);
    }

    private static String[] trace(String out, String... intervention) {
        String[] args = new String[7 + intervention.length];
        System.arraycopy(new String[] {"trace", "--model", model.toString(), "--tokens", TOKENS, "--out",
            dir.resolve(out).toString()}, 0, args, 0, 7);
        System.arraycopy(intervention, 0, args, 7, intervention.length);
        return CliTest.run(args);
    }

    @Test
    void aPlainTraceHasNoInterventionAndAnIntervenedOneSaysWhich() {
        assertNull(Trace.read(a).intervention());
        assertEquals("0", trace("k3.safetensors", "--top-k", "3", "--drop-expert", "*:0", "--router-precision", "bf16")[0]);
        assertEquals("{\"top_k\":3,\"drop_expert\":[\"*:0\"],\"router_precision\":\"bf16\"}",
                Trace.read(dir.resolve("k3.safetensors")).intervention());
    }

    /** The tie is real (the reference itself, forced to the runner-up): it passes with --model and fails without. */
    @Test
    void aForcedTieAtTheSmallestMarginPassesCompareWithTheModelAndFailsWithout() throws Exception {
        Trace plain = Trace.read(a);
        float[][] logits = plain.get(TensorNames.routerLogits(0)).toFloatMatrix();
        int t = 0;
        for (int i = 1; i < logits.length; i++) {
            t = Margins.margin(logits[i], 2) < Margins.margin(logits[t], 2) ? i : t;
        }
        int[] top3 = Routing.topK(logits[t], 3);
        assertEquals("0", trace("tie.safetensors", "--force-experts", "0:" + t + ":" + top3[0] + "," + top3[2])[0]);
        String tie = String.valueOf(Math.max(1e-3, 2 * Margins.margin(logits[t], 2)));
        Path b = dir.resolve("tie.safetensors");
        Path junit = dir.resolve("tie.xml");

        String[] without = CliTest.run("compare", a.toString(), b.toString(), "--tie-margin", tie, "--junit", junit.toString());
        assertEquals("1", without[0], without[1]);
        assertTrue(without[1].contains("hint: ") && without[1].contains("--model"), without[1]);
        Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile()).getDocumentElement();
        assertTrue(Integer.parseInt(suite.getAttribute("failures")) > 0);

        String[] with = CliTest.run("compare", a.toString(), b.toString(), "--tie-margin", tie, "--model", model.toString(),
                "--json", "--junit", junit.toString());
        assertEquals("0", with[0], with[1] + with[2]);
        JsonNode report = new ObjectMapper().readTree(with[1]);
        assertTrue(report.get("passed").asBoolean());
        assertTrue(report.get("flips").get(0).get("tie").asBoolean());
        assertTrue(report.get("actualIntervention").asText().contains("force_experts"));
        suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile()).getDocumentElement();
        assertEquals("0", suite.getAttribute("failures"));
        assertTrue(Integer.parseInt(suite.getAttribute("tests")) > 20);
    }

    /** On the demo model: a third expert changes every token's set at every layer and the next-token distribution. */
    @Test
    void compareOfTopThreeAgainstTopTwoSaysKDiffersAndShowsEveryChangedSet() throws Exception {
        Path k2 = dir.resolve("demo-k2.safetensors");
        Path k3 = dir.resolve("demo-k3.safetensors");
        assertEquals("0", CliTest.run("trace", "--tokens", TOKENS, "--out", k2.toString())[0]);
        assertEquals("0", CliTest.run("trace", "--tokens", TOKENS, "--out", k3.toString(), "--top-k", "3")[0]);
        int layers = Trace.read(k2).config().numHiddenLayers();
        int tokens = TOKENS.split(",").length;

        String[] text = CliTest.run("compare", k2.toString(), k3.toString());
        assertEquals("1", text[0], text[1] + text[2]);
        assertTrue(text[1].contains("K DIFFERS") && text[1].contains(" 2/3"), text[1]);
        assertTrue(text[1].contains("NOT COMPARABLE (K differs: A [8, 2], B [8, 3])"), text[1]);
        assertTrue(text[1].contains("first divergence: layer 0, layers.0.moe.selected_experts, token 0: routed to")
                && text[1].contains("K differs: A 2, B 3"), text[1]);

        Path junit = dir.resolve("k3.xml");
        String[] json = CliTest.run("compare", k2.toString(), k3.toString(), "--json", "--junit", junit.toString());
        Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile()).getDocumentElement();
        assertEquals(String.valueOf(layers), suite.getAttribute("skipped"), "routing weights: neither passed nor failed");
        assertEquals(layers, suite.getElementsByTagName("skipped").getLength());
        assertTrue(Integer.parseInt(suite.getAttribute("failures")) >= layers * tokens, "a failing case per changed set");
        JsonNode r = new ObjectMapper().readTree(json[1]);
        assertEquals(layers, r.get("routing").size());
        for (JsonNode l : r.get("routing")) {
            assertEquals(2, l.get("kExpected").asInt());
            assertEquals(3, l.get("kActual").asInt());
            assertEquals(0, l.get("sameExperts").asInt());
        }
        assertEquals(layers * tokens, r.get("flips").size(), "every (layer, token) holds a third expert");
        assertEquals(layers, r.get("notComparable").size());
        assertTrue(r.get("logits").get("meanKl").asDouble() > 0);
        assertFalse(r.get("passed").asBoolean());

        String[] same = CliTest.run("compare", k3.toString(), k3.toString());
        assertEquals("0", same[0], same[1]);
        assertFalse(same[1].contains("K DIFFERS"), same[1]);
    }

    @Test
    void tracesWithNothingInCommonAreBadInput() {
        assertEquals("0", trace("logits.safetensors", "--record", "logits")[0]);
        assertEquals("0", trace("embed.safetensors", "--record", "embed")[0]);
        String[] r = CliTest.run("compare", dir.resolve("logits.safetensors").toString(), dir.resolve("embed.safetensors").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("no tensor in common") && r[2].lines().count() == 1, r[2]);
    }

    @Test
    void anInfinityInTheExpectedTraceIsNotWithinAnyTolerance() {
        Trace plain = Trace.read(a);
        Map<String, INDArray> tensors = new LinkedHashMap<>(plain.tensors());
        tensors.put(TensorNames.LOGITS, plain.get(TensorNames.LOGITS).dup());
        tensors.get(TensorNames.LOGITS).putScalar(2, 3, Double.POSITIVE_INFINITY);
        Path inf = dir.resolve("inf.safetensors");
        new Trace(tensors, plain.metadata()).write(inf);
        String[] r = CliTest.run("compare", inf.toString(), a.toString(), "--atol", "1", "--rtol", "1");
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("non-finite"), r[1]);
        assertFalse(r[1].lines().filter(l -> l.startsWith("logits ")).findFirst().orElseThrow().endsWith("ok"), r[1]);
    }

    @Test
    void replayingATracesOwnRoutingReproducesItExactly() throws Exception {
        String[] r = trace("replayed.safetensors", "--replay-routing", a.toString(), "--replay-weights");
        assertEquals("0", r[0], r[2]);
        String[] c = CliTest.run("compare", a.toString(), dir.resolve("replayed.safetensors").toString(),
                "--atol", "0", "--rtol", "0", "--tie-margin", "0");
        assertEquals("0", c[0], c[1]);
    }

    @Test
    void generateSaysWhichInterventionItRanUnder() throws Exception {
        String[] plain = CliTest.run("generate", "--model", model.toString(), "--tokens", TOKENS, "--max-new-tokens", "3",
                "--json");
        String[] top1 = CliTest.run("generate", "--model", model.toString(), "--tokens", TOKENS, "--max-new-tokens", "3",
                "--json", "--top-k", "1");
        assertEquals("0", top1[0], top1[2]);
        assertNull(new ObjectMapper().readTree(plain[1]).get("intervention"));
        assertEquals(1, new ObjectMapper().readTree(top1[1]).get("intervention").get("top_k").asInt());
    }

    @Test
    void badInterventionsAreOneLineErrors() {
        String[][] bad = {
            {"--top-k", "0"}, {"--top-k", "9"}, {"--drop-expert", "0"}, {"--drop-expert", "x:1"}, {"--drop-expert", "5:1"},
            {"--force-experts", "0:1:1"}, {"--force-experts", "0:99:1,2"}, {"--force-experts", "0:1:1,1"},
            {"--router-precision", "fp8"}, {"--replay-weights"}, {"--replay-routing", dir.resolve("nothing").toString()},
        };
        for (String[] args : bad) {
            String[] r = trace("bad.safetensors", args);
            assertEquals("2", r[0], String.join(" ", args) + ": " + r[2]);
            assertEquals(1, r[2].lines().count(), r[2]);
        }
        assertFalse(Files.exists(dir.resolve("bad.safetensors")), "nothing written");
    }

    @Test
    void aReplayOfOtherTokensIsRefused() {
        String[] r = CliTest.run("trace", "--model", model.toString(), "--tokens", "1,5,9,201,3,77,12,40", "--out",
                dir.resolve("x.safetensors").toString(), "--replay-routing", a.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("recorded for other tokens"), r[2]);
    }
}
