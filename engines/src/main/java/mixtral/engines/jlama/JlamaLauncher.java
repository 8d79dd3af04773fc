package mixtral.engines.jlama;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import mixtral.BadInputException;
import mixtral.config.ConfigReader;

/**
 * Runs the Jlama adapter (module engines-jlama) for {@code ./mixtral engine-trace jlama}. Jlama needs JDK 20+ and the
 * incubating Vector API while this command line runs on JDK 17, so it starts a second JVM: {@code mixtral.jlama.jdk}
 * (the ./mixtral script sets it from {@code MIXTRAL_JDK21}, default Temurin's JDK 25) with the classpath
 * {@code mixtral.jlama.classpath} that the script's build wrote. Jlama's jars never join this JVM's classpath.
 */
public final class JlamaLauncher {
    /** System properties the ./mixtral script sets. */
    public static final String JDK_PROPERTY = "mixtral.jlama.jdk";
    public static final String CLASSPATH_PROPERTY = "mixtral.jlama.classpath";
    static final String MAIN = "mixtral.engines.jlama.JlamaMain";

    private JlamaLauncher() {}

    /** Why Jlama cannot run here, if it cannot. */
    public static Optional<String> missing() {
        String jdk = System.getProperty(JDK_PROPERTY, "");
        String cp = System.getProperty(CLASSPATH_PROPERTY, "");
        if (jdk.isEmpty() || !Files.isExecutable(Path.of(jdk, "bin", "java"))) {
            return Optional.of("Jlama needs a JDK 20+ (Temurin's at /usr/lib/jvm/temurin-25-jdk-amd64, or MIXTRAL_JDK21"
                    + "=DIR), and " + (jdk.isEmpty() ? "none was given" : jdk + " has no bin/java"));
        }
        if (cp.isEmpty()) {
            return Optional.of("the Jlama adapter (module engines-jlama) is not built: run ./mixtral, which builds it when "
                    + "that JDK is present");
        }
        return Optional.empty();
    }

    /**
     * The widest vector, in bytes, whose float lanes divide {@code headDim} (at most 64, AVX-512): Jlama's vector
     * operations read whole vectors, so a head narrower than one is read past its end.
     */
    public static int maxVectorBytes(int headDim) {
        int bytes = 64;
        while (bytes > 4 && (headDim * 4) % bytes != 0) {
            bytes /= 2;
        }
        return bytes;
    }

    /** Traces {@code tokens} through Jlama on {@code modelDir} into {@code out}; returns the line it printed. */
    public static String trace(Path modelDir, long[] tokens, Path out, String precision, String path) {
        String why = missing().orElse(null);
        if (why != null) {
            throw new BadInputException(why);
        }
        int headDim = ConfigReader.readFolder(modelDir).headDim();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty(JDK_PROPERTY), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:MaxVectorSize=" + maxVectorBytes(headDim), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Xmx" + System.getenv().getOrDefault("MIXTRAL_HEAP", "4g"),
                "-cp", System.getProperty(CLASSPATH_PROPERTY), MAIN,
                "--model", modelDir.toString(), "--out", out.toString(), "--precision", precision, "--path", path,
                "--tokens", Arrays.stream(tokens).mapToObj(Long::toString).collect(Collectors.joining(","))));
        try {
            Path log = Files.createTempFile("jlama-", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                int rc = p.waitFor();
                List<String> lines = Files.readAllLines(log);
                if (rc == 2) {
                    throw new BadInputException(lines.stream().filter(l -> l.startsWith("mixtral: ")).findFirst()
                            .map(l -> l.substring("mixtral: ".length())).orElse("Jlama refused the input"));
                }
                if (rc != 0) {
                    throw new IllegalStateException("Jlama failed (exit " + rc + "):\n" + String.join("\n", lines));
                }
                return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Jlama ran", e);
        }
    }
}
