package mixtral.engines.llamacpp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import mixtral.BadInputException;

/**
 * Where llama.cpp's prebuilt shared libraries are: the npm package {@value #PACKAGE} unpacked (its
 * {@code bins/linux-x64} folder), fetched by {@code engines/fetch-llama-cpp.sh} and never committed. The folder is
 * {@code $MIXTRAL_LLAMA_CPP} when set, else {@link #DEFAULT_DIR} under the user's home.
 */
public final class LlamaCppLibraries {
    public static final String PACKAGE = "@node-llama-cpp/linux-x64@3.22.1";
    /** The llama.cpp release those binaries were built from (the package's llama.cpp.info.json). */
    public static final String LLAMA_CPP_VERSION = "v0.5.0";
    public static final String DESCRIPTION = "llama.cpp " + LLAMA_CPP_VERSION + " (node-llama-cpp 3.22.1)";
    public static final String ENV = "MIXTRAL_LLAMA_CPP";
    public static final String DEFAULT_DIR = ".cache/mixtral/node-llama-cpp-linux-x64-3.22.1/bins/linux-x64";
    static final String LLAMA = "libllama." + LLAMA_CPP_VERSION + ".so";
    static final String GGML = "libggml." + LLAMA_CPP_VERSION + ".so";
    static final String GGML_BASE = "libggml-base.so";
    public static final String FETCH = "engines/fetch-llama-cpp.sh";

    private LlamaCppLibraries() {}

    /** The folder that should hold the libraries. */
    public static Path dir() {
        String env = System.getenv(ENV);
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home")).resolve(DEFAULT_DIR);
    }

    /** Why the libraries cannot be used here, or empty when they can. */
    public static Optional<String> missing() {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")
                || !System.getProperty("os.arch").matches("amd64|x86_64")) {
            return Optional.of("the llama.cpp adapter uses the linux-x64 binaries of " + PACKAGE + "; this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        Path dir = dir();
        for (String lib : new String[] {LLAMA, GGML, GGML_BASE}) {
            if (!Files.isRegularFile(dir.resolve(lib))) {
                return Optional.of("llama.cpp's libraries are not in " + dir + " (no " + lib + "): run " + FETCH
                        + " (npm pack " + PACKAGE + "), or set " + ENV + " to their folder");
            }
        }
        return Optional.empty();
    }

    /** The folder, checked. */
    static Path require() {
        missing().ifPresent(why -> {
            throw new BadInputException(why);
        });
        return dir();
    }
}
