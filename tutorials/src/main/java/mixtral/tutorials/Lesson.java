package mixtral.tutorials;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One lesson: a Markdown file in {@code tutorials/} and the code that computes every number its text quotes and draws
 * every figure it shows. In the Markdown a quoted number is marked {@code <!--n:name-->value<!--/n-->}; the tests
 * check each marked value against {@link #numbers()}, so a lesson whose code changes cannot keep stale numbers.
 */
public interface Lesson {
    /** The lesson's Markdown file, relative to {@code tutorials/}. */
    String markdown();

    /** Every value the text quotes, by name, formatted exactly as the text shows it. */
    Map<String, String> numbers();

    /**
     * Why the lesson cannot run on this machine (a program it drives is missing, with how to get it), or empty when
     * it can. Its tests then fail under {@code CI=true} and are skipped with the reason elsewhere.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Draws the lesson's figures (PNG) into {@code dir}; most lessons have one or two. */
    default void drawFigures(Path dir) throws IOException {}
}
