package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A number about the model typed into a lesson's prose instead of marked goes stale without a test noticing (lesson 2
 * once gave the demo model a hidden size of 64 while it had 192). This finds the phrasings such numbers take outside
 * marks, code and links: "D = 64", "6 layers", "top-2", "11M", "1/8", "12.5%".
 */
class LessonsProseTest {
    private static final List<Pattern> MODEL_NUMBER = List.of(
            Pattern.compile("\\b(?:D|F|E|K|H|KV|Hd|V|L)\\s*=\\s*\\d"),
            Pattern.compile("(?i)\\btop-\\d"),
            Pattern.compile("(?i)\\b\\d+(?:[.,]\\d+)*\\s*(?:layers?|experts?|(?:query |key/value |attention )?heads?|FFNs?"
                    + "|pieces|parameters|groups|languages)\\b"),
            Pattern.compile("\\b\\d+(?:[.,]\\d+)*\\s?(?:[MB]|million|billion|milliards?)\\b"),
            Pattern.compile("(?i)\\b(?:over|of) all \\d"),
            Pattern.compile("\\b\\d+ of (?:the )?\\d+\\b"),
            Pattern.compile("(?i)\\b1 (?:time )?in \\d"),
            Pattern.compile("(?<![\\w.])\\d+/\\d+(?![\\w.])"),
            Pattern.compile("(?i)\\blog2 \\d"),
            Pattern.compile("(?i)\\bcoefficient \\d"),
            Pattern.compile("\\b\\d+(?:\\.\\d+)?\\s?%"));

    private static final Pattern MARK = Pattern.compile("<!--n:[A-Za-z0-9_.-]+-->.*?<!--/n-->", Pattern.DOTALL);
    private static final Pattern FENCE = Pattern.compile("```.*?```", Pattern.DOTALL);
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\n]*`");
    private static final Pattern LINK_TARGET = Pattern.compile("\\]\\([^)]*\\)");

    /** The phrases of a lesson's prose that state a number about the model without a mark, each with its line. */
    static List<String> unmarked(String markdown) {
        String prose = MARK.matcher(markdown).replaceAll(m -> keepLines(m.group()));
        prose = FENCE.matcher(prose).replaceAll(m -> keepLines(m.group()));
        prose = INLINE_CODE.matcher(prose).replaceAll("");
        prose = LINK_TARGET.matcher(prose).replaceAll("]");
        String oneLine = prose.replace('\n', ' ');   // a phrase may wrap; same offsets, so lines can be counted back
        List<String> found = new ArrayList<>();
        for (Pattern p : MODEL_NUMBER) {
            Matcher m = p.matcher(oneLine);
            while (m.find()) {
                long line = 1 + prose.substring(0, m.start()).chars().filter(c -> c == '\n').count();
                found.add("line " + line + ": '" + m.group() + "'");
            }
        }
        return found;
    }

    /** A removed span leaves its line breaks, so that line numbers still point into the file. */
    private static String keepLines(String removed) {
        return Matcher.quoteReplacement("\n".repeat((int) removed.chars().filter(c -> c == '\n').count()));
    }

    @TestFactory
    Stream<DynamicTest> noLessonStatesANumberAboutTheModelWithoutAMark() {
        return Lessons.all().stream().map(lesson -> DynamicTest.dynamicTest(lesson.markdown(), () -> {
            List<String> found = unmarked(LessonsTest.text(lesson));
            assertTrue(found.isEmpty(), lesson.markdown() + " states numbers that no code checks; mark them "
                    + "(<!--n:name-->value<!--/n-->, a lesson's number or one of Facts): " + found);
        }));
    }

    @Test
    void theTutorialsReadmeStatesNoNumberAboutTheModelWithoutAMark() throws IOException {
        List<String> found = unmarked(LessonsTest.readme());
        assertTrue(found.isEmpty(), "README.md states numbers that no code checks; mark them: " + found);
    }

    @Test
    void theWrongHiddenSizeLesson2OnceHadIsFoundAndItsMarkedFormIsNot() {
        assertEquals(4, unmarked("It runs the demo model (6 layers, 8 experts, top-2, D = 64).").size());
        assertEquals(List.of("line 2: '11M'", "line 2: '1 time in 8'", "line 3: '12.5%'"),
                unmarked("Intro.\nA small model (11M parameters): 1 time\nin 8, 12.5%."));
        assertEquals(List.of(), unmarked("It runs the demo model (<!--n:demo.layers-->6<!--/n--> layers, "
                + "<!--n:demo.e-->8<!--/n--> experts, top-<!--n:demo.k-->2<!--/n-->, D = <!--n:demo.d-->192<!--/n-->)."));
        assertEquals(List.of(), unmarked("```\nlayer 0: 6 layers, top-2\n```\n`--top-2` [lesson 2](02-the-router.md)"));
        assertEquals(List.of(), unmarked("Lesson 2 shows layer 4, expert 6 and token 11."));
    }
}
