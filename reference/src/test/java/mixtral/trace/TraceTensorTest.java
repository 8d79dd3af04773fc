package mixtral.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import mixtral.config.MixtralConfig;
import mixtral.model.MixtralModel;
import mixtral.model.TinyConfigs;
import mixtral.trace.TraceTensor.Ref;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;

/** The trace format is defined once, in {@link TraceTensor}; the recorder, the names and the docs must agree with it. */
class TraceTensorTest {
    private static final long[] PROMPT = {3, 17, 42, 8, 0};

    @Test
    void aForwardPassRecordsExactlyTheFormatsTensorsWithTheirDeclaredShapesAndDtypes() {
        MixtralConfig c = TinyConfigs.gqa();
        TraceRecorder rec = TraceRecorder.all(true);
        MixtralModel.load(new RandomWeights(c, 3)).forward(PROMPT, rec);

        List<String> expectedNames = new ArrayList<>();
        for (TraceTensor t : TraceTensor.values()) {
            if (t.scope() == TraceTensor.Scope.MODEL) {
                expectedNames.add(t.leaf());
            } else {
                for (int i = 0; i < c.numHiddenLayers(); i++) {
                    expectedNames.add(t.at(i));
                }
            }
        }
        assertEquals(expectedNames.stream().sorted(TensorNames.FORWARD_ORDER).toList(),
                List.copyOf(rec.tensors().keySet()), "recorded names, in the order the forward pass produced them");
        rec.tensors().forEach((name, a) -> {
            TraceTensor t = TensorNames.tensorOf(name).orElseThrow();
            assertArrayEquals(t.expectedShape(c, PROMPT.length), a.shape(), name);
            assertEquals(t.dtype() == TraceTensor.DType.I64, a.dataType().isIntType(), name + " dtype");
        });
    }

    @Test
    void namesParseBackToTheirTensorAndLayer() {
        for (TraceTensor t : TraceTensor.values()) {
            String name = t.scope() == TraceTensor.Scope.LAYER ? t.at(12) : t.leaf();
            assertEquals(Optional.of(new Ref(t, t.scope() == TraceTensor.Scope.LAYER ? 12 : -1)), TraceTensor.parse(name));
        }
    }

    @Test
    void namesOutsideTheFormatAreNotMistakenForIt() {
        for (String name : List.of("layers.x.moe.out", "layers.01.moe.out", "layers.-1.moe.out", "layers.3",
                "layers.3.moe", "moe.out", "layers.3.logits", "generated_tokens", "Logits", "layers.3.moe.out.x")) {
            assertEquals(Optional.empty(), TraceTensor.parse(name), name);
        }
    }

    @Test
    void forwardOrderIsTheDeclarationOrderWithUnknownNamesLast() {
        List<String> shuffled = new ArrayList<>(List.of("zzz", TensorNames.LOGITS, TensorNames.moeOut(1),
                TensorNames.attnNorm(1), TensorNames.residPost(0), TensorNames.TOKENS, TensorNames.FINAL_NORM,
                TensorNames.routerLogits(0), TensorNames.EMBED, "generated_tokens"));
        shuffled.sort(TensorNames.FORWARD_ORDER);
        assertEquals(List.of(TensorNames.TOKENS, TensorNames.EMBED, TensorNames.routerLogits(0),
                TensorNames.residPost(0), TensorNames.attnNorm(1), TensorNames.moeOut(1), TensorNames.FINAL_NORM,
                TensorNames.LOGITS, "generated_tokens", "zzz"), shuffled);
    }

    @Test
    void theRoutingRecordIsTheTokensAndTheRoutingRole() {
        for (TraceTensor t : TraceTensor.values()) {
            assertEquals(t == TraceTensor.TOKENS || t.role() == TraceTensor.Role.ROUTING, t.inRoutingRecord(), t.name());
        }
    }

    /** docs/trace-format.md is what other engines' authors read: its table must say what the enum says. */
    @Test
    void theDocumentedTableIsTheFormat() throws IOException {
        assertEquals(List.of(), disagreements(Files.readAllLines(DOC)), "in " + DOC);
    }

    @Test
    void aDocumentWithAWrongDtypeOrAMissingRowDisagrees() throws IOException {
        List<String> doc = Files.readAllLines(DOC);
        List<String> wrongType = doc.stream().map(l -> l.startsWith("| `tokens`") ? l.replace("I64", "F32") : l).toList();
        List<String> missingRow = doc.stream().filter(l -> !l.startsWith("| `layers.{i}.moe.out`")).toList();
        List<String> wrongShape = doc.stream().map(l -> l.startsWith("| `layers.{i}.moe.selected_experts`")
                ? l.replace("[T, K]", "[T, E]") : l).toList();
        for (List<String> broken : List.of(wrongType, missingRow, wrongShape)) {
            assertTrue(!disagreements(broken).isEmpty(), "a broken document must disagree");
        }
    }

    private static final Path DOC = Path.of("..", "docs", "trace-format.md");

    /** Rows of the document's tensor table (name | shape | dtype | meaning) that differ from the enum. */
    private static List<String> disagreements(List<String> doc) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : doc) {
            String[] cells = line.split("\\|");
            if (cells.length >= 5 && cells[1].trim().startsWith("`")) {
                rows.put(cells[1].trim().replace("`", ""), cells[2].trim() + " " + cells[3].trim());
            }
        }
        Map<String, String> declared = new LinkedHashMap<>();
        for (TraceTensor t : TraceTensor.values()) {
            declared.put(t.pattern(), t.shape().stream().map(Enum::name).collect(Collectors.joining(", ", "[", "]"))
                    + " " + t.dtype().name());
        }
        List<String> out = new ArrayList<>();
        if (!List.copyOf(declared.keySet()).equals(List.copyOf(rows.keySet()))) {
            out.add("names: documented " + rows.keySet() + ", declared " + declared.keySet());
        }
        declared.forEach((name, shapeAndType) -> {
            if (rows.containsKey(name) && !rows.get(name).equals(shapeAndType)) {
                out.add(name + ": documented " + rows.get(name) + ", declared " + shapeAndType);
            }
        });
        return out;
    }
}
