package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The lessons read in order: their numbers follow the registry, every "lesson N" names a lesson that exists (and the
 * file it links to is that lesson), and no lesson uses a term before the lesson that first explains it.
 */
class LessonsOrderTest {
    /**
     * Terms a learner must have had explained, and the lesson that first explains them (a short gloss counts: the tour
     * of lesson 3 glosses what lessons 5 to 8 then take apart). A term is a regular expression, matched case-blind on
     * whole words in the text outside marks, code and link targets.
     */
    static final Map<String, Integer> TERMS = terms();

    private static Map<String, Integer> terms() {
        Map<String, Integer> t = new LinkedHashMap<>();
        t.put("router", 1);
        t.put("logits?", 1);
        t.put("residual stream", 1);
        t.put("SwiGLU", 1);
        t.put("active", 1);
        t.put("margins?", 2);
        t.put("near[- ]ties?", 2);
        t.put("first[- ]choices?", 2);
        t.put("traces?", 3);
        t.put("routing map", 3);
        t.put("heatmap", 3);
        t.put("(?:expert )?load", 3);
        t.put("logit lens", 3);
        t.put("KV cache", 3);
        t.put("tie margin", 3);
        t.put("SiLU", 4);
        t.put("RMSNorm", 5);
        t.put("RoPE", 6);
        t.put("grouped-query", 6);
        t.put("causal", 6);
        t.put("flips?", 7);
        t.put("tolerances?", 7);
        t.put("load-balancing loss", 8);
        t.put("held-out", 8);
        t.put("random weights", 8);
        t.put("repetition", 8);
        t.put("mutual information", 9);
        return t;
    }

    private static final Pattern LESSON_REF =
            Pattern.compile("(?i)\\b(?:lessons?|leçons?) (\\d+)((?:(?:,| and| to| or| et| à) \\d+)*)");
    private static final Pattern LINKED_REF = Pattern.compile("(?i)\\[(?:lesson|leçon) (\\d+)[^\\]]*\\]\\((\\d\\d)-[^)]*\\)");
    private static final Pattern HEADING = Pattern.compile("\\A# (?:Lesson|Leçon) (\\d+)\\s?:");
    private static final Pattern NEXT = Pattern.compile("(?m)^(?:Next|Suite)[^\\n]*\\]\\((\\d\\d-[^)]+)\\)\\.?$");

    /** Lessons in reading order, translations left out: their numbers are 1, 2, 3, ... */
    static List<Lesson> inOrder() {
        return Lessons.all().stream().filter(l -> !l.markdown().matches(".*\\.[a-z]{2}\\.md")).toList();
    }

    static int number(Lesson lesson) {
        return Integer.parseInt(lesson.markdown().substring(0, 2));
    }

    @Test
    void lessonsAreNumberedInReadingOrderAndEachHeadingSaysItsNumber() throws IOException {
        List<Lesson> lessons = inOrder();
        for (int i = 0; i < lessons.size(); i++) {
            assertEquals(i + 1, number(lessons.get(i)), lessons.get(i).markdown() + " is lesson " + (i + 1)
                    + " in the Lessons registry; its file name must start with " + String.format("%02d", i + 1));
            Matcher h = HEADING.matcher(LessonsTest.text(lessons.get(i)));
            assertTrue(h.find() && Integer.parseInt(h.group(1)) == i + 1,
                    lessons.get(i).markdown() + " must open with '# Lesson " + (i + 1) + ":'");
        }
    }

    @Test
    void eachLessonEndsByPointingToTheNextOne() throws IOException {
        List<Lesson> lessons = inOrder();
        for (int i = 0; i + 1 < lessons.size(); i++) {
            Matcher m = NEXT.matcher(LessonsTest.text(lessons.get(i)));
            assertTrue(m.find(), lessons.get(i).markdown() + " has no 'Next:' line");
            assertEquals(lessons.get(i + 1).markdown(), m.group(1), lessons.get(i).markdown() + " points on to the wrong lesson");
        }
    }

    /** Every text that names lessons by number: the lessons, the tutorials' README and the project's docs. */
    static Map<String, String> textsNamingLessons() throws IOException {
        Map<String, String> texts = new LinkedHashMap<>();
        for (Lesson lesson : Lessons.all()) {
            texts.put(lesson.markdown(), LessonsTest.text(lesson));
        }
        texts.put("README.md", LessonsTest.readme());
        Path root = LessonsTest.TUTORIALS.getParent();
        List<Path> more = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("trained-model/README.md"),
                root.resolve("inspector-web/FRONTEND.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(more::add);
        }
        for (Path p : more) {
            texts.put(root.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
        }
        return texts;
    }

    /** The lesson numbers a text names: "lesson 3", "lessons 2 and 4", "Lessons 2 to 7" (both ends). */
    static List<Integer> referencedLessons(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = LESSON_REF.matcher(text);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
            Matcher more = Pattern.compile("\\d+").matcher(m.group(2));
            while (more.find()) {
                out.add(Integer.parseInt(more.group()));
            }
        }
        return out;
    }

    @Test
    void everyLessonNamedByNumberExistsAndEveryLinkToItGoesToItsFile() throws IOException {
        TreeSet<Integer> exist = new TreeSet<>();
        inOrder().forEach(l -> exist.add(number(l)));
        for (Map.Entry<String, String> t : textsNamingLessons().entrySet()) {
            for (int n : referencedLessons(t.getValue())) {
                assertTrue(exist.contains(n), t.getKey() + " names lesson " + n + "; the lessons are " + exist);
            }
            Matcher m = LINKED_REF.matcher(t.getValue());
            while (m.find()) {
                assertEquals(m.group(1), String.valueOf(Integer.parseInt(m.group(2))),
                        t.getKey() + ": '" + m.group() + "' links another lesson than it names");
            }
        }
    }

    @Test
    void lessonReferencesAreFoundInTheirUsualPhrasings() {
        assertEquals(List.of(2, 4, 2, 7, 9, 5), referencedLessons("lessons 2 and 4; Lessons 2 to 7, [lesson 9](x), lesson 5's"));
        Matcher m = LINKED_REF.matcher("see [lesson 4](05-following-one-token.md)");
        assertTrue(m.find());
        assertFalse(m.group(1).equals(String.valueOf(Integer.parseInt(m.group(2)))), "a stale link must be told apart");
    }

    /** The text a learner reads: marks' values kept, their comments, code blocks, inline code and link targets dropped. */
    static String prose(String markdown) {
        return markdown.replaceAll("(?s)```.*?```", " ").replaceAll("<!--/?n[^>]*-->", "")
                .replaceAll("`[^`\n]*`", " ").replaceAll("\\]\\([^)]*\\)", "]");
    }

    /** Each lesson's prose by its number, in reading order. */
    static Map<Integer, String> proseByLesson() throws IOException {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Lesson lesson : inOrder()) {
            out.put(number(lesson), prose(LessonsTest.text(lesson)));
        }
        return out;
    }

    /** Where terms are used against where they are explained, one sentence per term out of place. */
    static List<String> outOfPlace(Map<String, Integer> terms, Map<Integer, String> proseByLesson) {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Integer> t : terms.entrySet()) {
            Pattern p = Pattern.compile("(?i)(?<![\\w-])" + t.getKey() + "(?![\\w-])");
            int first = proseByLesson.entrySet().stream().filter(e -> p.matcher(e.getValue()).find())
                    .mapToInt(Map.Entry::getKey).findFirst().orElse(0);
            if (first == 0) {
                wrong.add("no lesson uses '" + t.getKey() + "'");
            } else if (first < t.getValue()) {
                wrong.add("'" + t.getKey() + "' is used in lesson " + first + " but explained in lesson " + t.getValue());
            } else if (first > t.getValue()) {
                wrong.add("'" + t.getKey() + "' is said to be explained in lesson " + t.getValue()
                        + ", which does not use it (first use: lesson " + first + ")");
            }
        }
        return wrong;
    }

    @Test
    void noLessonUsesATermBeforeTheLessonThatExplainsIt() throws IOException {
        List<String> wrong = outOfPlace(TERMS, proseByLesson());
        assertTrue(wrong.isEmpty(), String.join("; ", wrong) + " (LessonsOrderTest.TERMS)");
    }

    @Test
    void aTermUsedBeforeItsLessonOrNamedForTheWrongLessonIsFound() {
        Map<Integer, String> lessons = new LinkedHashMap<>();
        lessons.put(1, "The router picks two experts.");
        lessons.put(2, "Its margin, and what the logit lens shows.");
        lessons.put(3, "The logit lens: what the model would predict if it stopped at a layer.");
        assertEquals(List.of(), outOfPlace(Map.of("router", 1, "margins?", 2), lessons));
        assertEquals(List.of("'logit lens' is used in lesson 2 but explained in lesson 3"),
                outOfPlace(Map.of("logit lens", 3), lessons));
        assertEquals(List.of("'margins?' is said to be explained in lesson 1, which does not use it (first use: lesson 2)"),
                outOfPlace(Map.of("margins?", 1), lessons));
        assertEquals(List.of("no lesson uses 'KV cache'"), outOfPlace(Map.of("KV cache", 6), lessons));
        assertEquals(List.of("no lesson uses 'margins?'"),
                outOfPlace(Map.of("margins?", 2), Map.of(2, prose("marginal `margin` [x](margin.md)"))),
                "whole words of the prose only: 'marginal' is not 'margin', code and link targets are not prose");
    }
}
