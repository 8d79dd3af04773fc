package mixtral.inspector.about;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.EvidenceReport;
import org.junit.jupiter.api.Test;

/**
 * The page's evidence.js reads the keys the server sends and no others: it declares the schema as JSDoc typedefs
 * generated here from the records (through the mapping that writes evidence.json and {@code GET /api/evidence}), and
 * every key it spells must be one of them.
 */
class EvidenceJsTest {
    static final String SCRIPT = "/public/js/views/evidence.js";
    /** A key as the page would spell one: lower case words joined by underscores. */
    private static final Pattern SNAKE_CASE = Pattern.compile("\\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\\b");
    private static final List<String> LGE = List.of("L", "G", "E");

    /** The records of the schema, from the top record down. */
    static Set<Class<?>> records() {
        Set<Class<?>> records = new LinkedHashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(EvidenceReport.class));
        while (!todo.isEmpty()) {
            Class<?> record = todo.pop();
            if (records.add(record)) {
                EvidenceJson.keys(record).forEach(k -> js(k.getPrimaryType(), todo));
            }
        }
        return records;
    }

    /** One JSDoc block per record of the schema, keys in the order they are written. */
    static String typedefs() {
        StringBuilder b = new StringBuilder();
        for (Class<?> record : records()) {
            b.append("/**\n * @typedef {object} ").append(name(record)).append('\n');
            for (BeanPropertyDefinition key : EvidenceJson.keys(record)) {
                JavaType type = key.getPrimaryType();
                b.append(" * @property {").append(js(type, new ArrayDeque<>())).append("} ").append(key.getName())
                        .append(dims(type)).append('\n');
            }
            b.append(" */\n");
        }
        return b.toString();
    }

    private static String name(Class<?> record) {
        return record.getEnclosingClass() == null ? record.getSimpleName()
                : name(record.getEnclosingClass()) + "." + record.getSimpleName();
    }

    private static String js(JavaType t, Deque<Class<?>> todo) {
        if (t.isRecordType()) {
            todo.add(t.getRawClass());
            return name(t.getRawClass());
        }
        if (t.isArrayType() || t.isCollectionLikeType()) {
            return js(t.getContentType(), todo) + "[]";
        }
        if (t.isMapLikeType()) {
            return "Object<string, " + js(t.getContentType(), todo) + ">";
        }
        if (t.getRawClass() == String.class) {
            return "string";
        }
        assertTrue(t.isPrimitive() || Number.class.isAssignableFrom(t.getRawClass()), "no JS type for " + t);
        return "number";
    }

    /** The statistics' axes, by rank: [L], [L][G], [L][G][E] (layers, groups, experts). */
    private static String dims(JavaType t) {
        int rank = 0;
        for (JavaType c = t; c.isArrayType(); c = c.getContentType()) {
            rank++;
        }
        return rank == 0 ? "" : " [" + String.join("][", LGE.subList(0, rank)) + "]";
    }

    /** Every key of the schema, as sent. */
    private static Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        records().forEach(r -> EvidenceJson.keys(r).forEach(k -> keys.add(k.getName())));
        return keys;
    }

    /** The snake_case words of {@code code} that are not keys of the schema. */
    private static Set<String> unknownKeys(String code) {
        Set<String> unknown = new TreeSet<>();
        Matcher m = SNAKE_CASE.matcher(code);
        while (m.find()) {
            unknown.add(m.group());
        }
        unknown.removeAll(keys());
        return unknown;
    }

    static String script() throws IOException {
        try (InputStream in = EvidenceJsTest.class.getResourceAsStream(SCRIPT)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void evidenceJsDeclaresTheSchemaAsTheRecordsGenerateIt() throws IOException {
        assertTrue(script().contains(typedefs()), SCRIPT + " should declare the schema with exactly these blocks "
                + "(paste them over its typedefs):\n" + typedefs());
    }

    @Test
    void everyKeyEvidenceJsSpellsIsOneTheServerSends() throws IOException {
        String code = script().replace(typedefs(), "");
        assertEquals(Set.of(), unknownKeys(code), SCRIPT + " reads keys the server does not send; they are " + keys());
        assertTrue(code.contains("first_choice"), "the check sees the keys the page reads");
        assertEquals(Set.of("first_choices"), unknownKeys(code.replace("first_choice", "first_choices")),
                "a misspelled key is caught");
    }

    /** The Java names of keys that the server spells otherwise (windowTokens for window_tokens) read in {@code code}. */
    private static Set<String> javaSpellings(String code) {
        Set<String> found = new TreeSet<>();
        for (Class<?> record : records()) {
            for (BeanPropertyDefinition key : EvidenceJson.keys(record)) {
                String java = key.getInternalName();
                if (!java.equals(key.getName()) && Pattern.compile("[.'\"]" + java + "\\b").matcher(code).find()) {
                    found.add(java);
                }
            }
        }
        return found;
    }

    @Test
    void evidenceJsNeverUsesTheJavaSpellingOfAKey() throws IOException {
        assertEquals(Set.of(), javaSpellings(script()), "the server sends these keys in snake_case");
        assertEquals(Set.of("windowTokens"), javaSpellings(script() + "\nev.heldout.windowTokens;\n"),
                "a Java spelling is caught");
    }
}
