package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM ends a process even while BLAS is multiplying (see {@link BlasGate}). Without the gate, 2 of 8 such
 * processes hung until killed with SIGKILL; each run here is one more chance to catch that, so there are three.
 */
class SigtermTest {
    private static final int RUNS = 3;
    private static final long PROMPTLY_SECONDS = 20;

    @Test
    void sigtermEndsTheProcessWhileBlasIsMultiplying() throws Exception {
        for (int run = 0; run < RUNS; run++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    ProductsUntilKilled.class.getName()).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.equals("ready")) {
                    // ND4J's start-up messages
                }
                assertEquals("ready", line, "the process died before its first product");
                Thread.sleep(300L * (run + 1));               // land in different products
                p.destroy();                                    // SIGTERM
                assertTrue(p.waitFor(PROMPTLY_SECONDS, TimeUnit.SECONDS),
                        "run " + run + ": still running " + PROMPTLY_SECONDS + " s after SIGTERM");
                assertEquals(143, p.exitValue(), "128 + SIGTERM");
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
