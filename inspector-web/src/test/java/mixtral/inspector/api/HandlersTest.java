package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mixtral.BadInputException;
import mixtral.inspector.Fixtures;
import mixtral.inspector.api.Dto.ModelInfo;
import mixtral.inspector.engine.Inspector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controllers' own logic, without HTTP. */
class HandlersTest {
    @TempDir
    java.nio.file.Path data;

    @Test
    void integerParametersNameTheParameterWhenMissingOrNotANumber() {
        assertEquals(3, TraceController.intParam("layer", "3"));
        assertTrue(assertThrows(BadInputException.class, () -> TraceController.intParam("layer", null))
                .getMessage().contains("layer"));
        assertTrue(assertThrows(BadInputException.class, () -> TraceController.intParam("head", "2.5"))
                .getMessage().contains("head"));
    }

    @Test
    void jsonErrorsAreOneLineWithoutPackageNames() {
        assertEquals("Cannot deserialize value of type `TraceRequest` from Array value",
                Errors.oneLine("Cannot deserialize value of type `mixtral.inspector.api.Dto$TraceRequest` from Array"
                        + " value\n at [Source: (String)\"[1]\"; line: 1, column: 1]"));
        assertEquals("", Errors.oneLine(null));
    }

    @Test
    void modelInfoCountsFewerActiveThanTotalParametersAndCarriesTheLimits() {
        Inspector inspector = Fixtures.inspector(data);
        ModelInfo info = ModelController.info(inspector);
        assertTrue(info.activeParameters() < info.totalParameters());
        assertEquals(info.totalParameters(), info.parametersByPart().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(inspector.limits(), info.limits());
        assertEquals(null, info.exampleTraceId(), "no example trace before the command makes one");
    }
}
