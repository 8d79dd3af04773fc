package mixtral.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {
    @Test
    void aMissingPrerequisiteFailsUnderCi() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Prerequisites.missing("no browser", true));
        assertEquals("no browser", e.getMessage());
    }

    @Test
    void aMissingPrerequisiteSkipsWithItsReasonElsewhere() {
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> Prerequisites.missing("no browser", false));
        assertEquals("no browser", e.getMessage());
    }

    @Test
    void requireAsksTheEnvironmentOnlyWhenThePrerequisiteIsMissing() {
        Class<? extends Throwable> missing = Prerequisites.underCi() ? AssertionFailedError.class
                : TestAbortedException.class;
        assertThrows(missing, () -> Prerequisites.require(false, "no browser"));
        assertDoesNotThrow(() -> Prerequisites.require(true, "never said"));
    }
}
