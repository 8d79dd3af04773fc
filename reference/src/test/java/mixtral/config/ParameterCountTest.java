package mixtral.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.net.URISyntaxException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ParameterCountTest {
    @Test
    void nd4jRuns() {
        assertEquals(6.0, Nd4j.createFromArray(1f, 2f, 3f).sumNumber().doubleValue(), 1e-6);
    }
}
