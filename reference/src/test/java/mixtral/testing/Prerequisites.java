package mixtral.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs that a developer's machine may lack (the Mixtral tokenizer, a browser, a file the lead commits
 * later). Missing, the test fails under {@code CI=true}, where it must run, and is skipped with the reason elsewhere:
 * never skipped silently. Other modules' tests reach this class through reference's test-jar.
 */
public final class Prerequisites {
    private Prerequisites() {}

    /** Fails or skips the calling test, saying {@code why}, unless {@code present}. */
    public static void require(boolean present, String why) {
        if (!present) {
            throw missing(why);
        }
    }

    /**
     * Fails or skips the calling test, saying {@code why}; it never returns, its return type lets a caller write
     * {@code throw Prerequisites.missing(why)} where the compiler wants a throw.
     */
    public static RuntimeException missing(String why) {
        return missing(why, underCi());
    }

    static RuntimeException missing(String why, boolean underCi) {
        if (underCi) {
            Assertions.fail(why);
        }
        return Assumptions.abort(why);
    }

    /** Whether the environment says this is continuous integration ({@code CI=true}, as CI services set it). */
    static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
