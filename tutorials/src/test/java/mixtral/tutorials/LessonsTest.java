package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mixtral.testing.Prerequisites;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every lesson and holds its Markdown to it: each marked number equals the freshly computed one, each figure and
 * each linked source file exists. A failure names the lesson and tells how to regenerate.
 */
class LessonsTest {
    /** Surefire runs in the module folder, which holds the lessons. */
    static final Path TUTORIALS = Path.of("").toAbsolutePath();
    private static final Pattern IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern LINK = Pattern.compile("(?<!!)\\[[^\\]]*\\]\\(([^)\\s#]+)(#[^)]*)?\\)");
    private static final String HOW = " (regenerate with tutorials/make-figures, then review the text)";

    private static final Map<String, Map<String, String>> COMPUTED = new HashMap<>();

    /**
     * A lesson's numbers, computed once per test run (some lessons run the model several times). A lesson that cannot
     * run here fails the calling test under CI=true and skips it with the reason elsewhere.
     */
    static synchronized Map<String, String> computed(Lesson lesson) {
        lesson.unavailable().ifPresent(why -> {
            throw Prerequisites.missing(lesson.markdown() + " cannot run: " + why);
        });
        return COMPUTED.computeIfAbsent(lesson.markdown(), k -> lesson.numbers());
    }

    static String text(Lesson lesson) throws IOException {
        Path md = TUTORIALS.resolve(lesson.markdown());
        assertTrue(Files.isRegularFile(md), lesson.markdown() + " is missing");
        return Files.readString(md, StandardCharsets.UTF_8);
    }

    @TestFactory
    Stream<DynamicTest> everyNumberTheTextQuotesIsWhatTheLessonComputes() {
        return Lessons.all().stream().map(lesson -> DynamicTest.dynamicTest(lesson.markdown(), () -> {
            List<String> problems = Marks.problems(text(lesson), Lessons.quotable(computed(lesson)));
            assertTrue(problems.isEmpty(), lesson.markdown() + ": " + String.join("; ", problems) + HOW);
        }));
    }

    @Test
    void theTutorialsReadmeQuotesOnlyFactsAndEachIsCurrent() throws IOException {
        List<String> problems = Marks.problems(readme(), Facts.all());
        assertTrue(problems.isEmpty(), "README.md: " + String.join("; ", problems) + HOW);
    }

    @Test
    void everyFactIsQuotedBySomeLessonOrTheReadme() throws IOException {
        List<String> unquoted = new ArrayList<>(Facts.all().keySet());
        unquoted.removeAll(Marks.read(readme()).keySet());
        for (Lesson lesson : Lessons.all()) {
            unquoted.removeAll(Marks.read(text(lesson)).keySet());
        }
        assertTrue(unquoted.isEmpty(), "Facts computes " + unquoted + ", which no text quotes: drop them");
    }

    @Test
    void aHiddenSizeThatDisagreesWithTheModelIsCaught() throws IOException {
        Lesson router = Lessons.all().stream().filter(l -> l instanceof TheRouter).findFirst().orElseThrow();
        String right = Facts.all().get("demo.d");
        String wrong = Integer.toString(Integer.parseInt(right) / 3);
        String text = text(router);
        assertTrue(text.contains("<!--n:demo.d-->" + right + "<!--/n-->"), "lesson 2 quotes the demo's hidden size");
        List<String> problems = Marks.problems(text.replace("<!--n:demo.d-->" + right, "<!--n:demo.d-->" + wrong),
                Lessons.quotable(computed(router)));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("demo.d") && problems.get(0).contains(wrong), problems.get(0));
        assertTrue(Marks.problems("<!--n:demo.typo-->1<!--/n-->", Facts.all()).get(0).contains("nothing computes"));
    }

    @Test
    void aLessonMayNotNameItsOwnNumberLikeAFact() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Lessons.quotable(Map.of("demo.d", "64")));
        assertTrue(e.getMessage().contains("demo.d"));
    }

    @Test
    void theFactsAboutTheDemoModelAreTheOnesItsTrainingRunRecorded() {
        var run = Facts.trainingRun();
        Map<String, String> f = Facts.all();
        assertEquals(Fmt.grouped(run.get("parameters").asLong()), f.get("demo.params_exact"),
                "docs/trained-model/run.json counts other parameters than the demo model's configuration gives");
        var shape = run.get("shape");
        assertEquals(shape.get("hidden_size").asText(), f.get("demo.d"));
        assertEquals(shape.get("num_hidden_layers").asText(), f.get("demo.layers"));
        assertEquals(shape.get("num_local_experts").asText(), f.get("demo.e"));
        assertEquals(shape.get("num_experts_per_tok").asText(), f.get("demo.k"));
        assertEquals(shape.get("num_attention_heads").asText(), f.get("demo.h"));
        assertEquals(shape.get("num_key_value_heads").asText(), f.get("demo.kv"));
        assertEquals(shape.get("intermediate_size").asText(), f.get("demo.f"));
    }

    @Test
    void settingsAreWrittenAsTheCommandLineTakesThem() {
        assertEquals("1e-4", Fmt.shortest(1e-4));
        assertEquals("2.5e-5", Fmt.shortest(2.5e-5));
        assertEquals("0.2", Fmt.shortest(0.2));
        assertEquals("0.02", Fmt.shortest(0.02));
        assertEquals("1e-2", Fmt.shortest(0.01));
        assertEquals("0.1", Fmt.shortest(0.1));
        assertEquals("1 - (6/8)(5/7)", Facts.shareOneFormula(8, 2));
        assertEquals("1 - (3/4)", Facts.shareOneFormula(4, 1));
    }

    @TestFactory
    Stream<DynamicTest> everyComputedNumberAppearsInTheText() {
        return Lessons.all().stream().map(lesson -> DynamicTest.dynamicTest(lesson.markdown(), () -> {
            Map<String, String> marked = Marks.read(text(lesson));
            List<String> unused = new ArrayList<>(computed(lesson).keySet());
            unused.removeAll(marked.keySet());
            assertTrue(unused.isEmpty(), lesson.markdown() + " never quotes " + unused);
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyFigureTheTextShowsExistsAndIsNotEmpty() {
        return Lessons.all().stream().map(lesson -> DynamicTest.dynamicTest(lesson.markdown(), () -> {
            for (String target : matches(IMAGE, text(lesson))) {
                if (target.startsWith("http")) {
                    continue;
                }
                Path file = TUTORIALS.resolve(target).normalize();
                assertTrue(Files.isRegularFile(file) && Files.size(file) > 1000,
                        lesson.markdown() + " shows " + target + ", which is missing or empty" + HOW);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyLinkedFileExists() {
        return Lessons.all().stream().map(lesson -> DynamicTest.dynamicTest(lesson.markdown(), () -> {
            List<String> links = matches(LINK, text(lesson));
            assertTrue(links.stream().anyMatch(l -> l.endsWith(".java")),
                    lesson.markdown() + " links to none of the code it uses");
            for (String target : links) {
                if (!target.startsWith("http")) {
                    assertTrue(Files.exists(TUTORIALS.resolve(target).normalize()),
                            lesson.markdown() + " links to " + target + ", which does not exist");
                }
            }
        }));
    }

    static String readme() throws IOException {
        return Files.readString(TUTORIALS.resolve("README.md"), StandardCharsets.UTF_8);
    }

    @Test
    void theTutorialsReadmeListsEveryLesson() throws IOException {
        String readme = readme();
        for (Lesson lesson : Lessons.all()) {
            assertTrue(readme.contains("](" + lesson.markdown() + ")"), "README.md does not link " + lesson.markdown());
        }
    }

    @Test
    void aMarkWithoutAComputedValueIsRefusedWhenFilling() {
        String md = "total <!--n:total-->1<!--/n--> and <!--n:typo-->2<!--/n-->";
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Marks.fill(md, Map.of("total", "46.7B")));
        assertTrue(e.getMessage().contains("typo"));
        assertEquals("a <!--n:x-->46.7B<!--/n-->", Marks.fill("a <!--n:x-->old<!--/n-->", Map.of("x", "46.7B")));
        assertFalse(Marks.read("a <!--n:t-->|x|\n|y|<!--/n-->").isEmpty());
    }

    @Test
    void aDecimalMayDifferByOneInItsLastDigitButAnIntegerOrTextMustBeIdentical() {
        assertTrue(Marks.agree("0.000918", "0.000919"));
        assertTrue(Marks.agree("2.2e-07", "2.3e-07"));
        assertTrue(Marks.agree("layer 4 margin 0.00145", "layer 4 margin 0.00144"));
        assertFalse(Marks.agree("0.000918", "0.000921"));
        assertFalse(Marks.agree("2.2e-07", "2.2e-06"));
        assertFalse(Marks.agree("expert [6, 7]", "expert [6, 1]"));
        assertFalse(Marks.agree("7", "8"));
        assertFalse(Marks.agree("0.12", "0.120"));
    }

    private static List<String> matches(Pattern p, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
