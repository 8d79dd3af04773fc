package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.http.HttpResponseException;
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
    void aPercentInAUrlNeedsTwoHexadecimalDigitsAfterIt() {
        assertEquals(-1, PercentEncoding.firstBadEscape("/api/traces/a%2Fb?layer=%41&head=%e9"));
        assertEquals(4, PercentEncoding.firstBadEscape("/js/%u0041.js"));
        assertEquals(1, PercentEncoding.firstBadEscape("/%"));
        assertEquals(2, PercentEncoding.firstBadEscape("/a%4"));
        assertEquals(9, PercentEncoding.firstBadEscape("/a?x=%41&%zz"));
    }

    @Test
    void aJsonBodyIsApplicationJsonAndItsCharsetIfNamedIsUtf8() {
        for (String ok : new String[] {"application/json", "Application/JSON", "application/json; charset=utf-8",
                "application/json;charset=\"UTF-8\"", "application/json; boundary=x"}) {
            StrictJson.checkContentType(ok);
        }
        for (String bad : new String[] {"text/json", "text/plain", "application/json-patch+json",
                "application/json; charset=utf-16", "application/json; charset", "application/jsonx", ""}) {
            assertEquals(415, assertThrows(HttpResponseException.class, () -> StrictJson.checkContentType(bad))
                    .getStatus(), bad);
        }
        assertThrows(HttpResponseException.class, () -> StrictJson.checkContentType(null));
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
