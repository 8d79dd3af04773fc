package mixtral.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The embedded demo model: a small Mixtral (6 layers, 8 experts, top-2, D=64, V=2000) with the project's own
 * tokenizer, shipped as resources under {@code /demo-model/}. Its weights are random with a fixed seed
 * ({@code demo-model/make_demo_model.sh}), so its routing shows the mechanics, not learned specialisation.
 */
public final class DemoModel {
    /** What the inspector and the docs say about the demo model, in one sentence. */
    public static final String DESCRIPTION = "The embedded demo model: a Mixtral-architecture checkpoint with 6 layers, "
            + "8 experts (top-2), hidden size 64, 4 attention heads over 2 key/value heads, and a 2,000-piece tokenizer "
            + "trained on the five languages and code. Its weights are random (fixed seed), so the routing you see "
            + "shows how the mechanism works, not what experts learn.";

    static final String RESOURCE = "/demo-model/";
    static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.model");

    private static Path folder;

    private DemoModel() {}

    /**
     * A folder holding the demo model's files: the resource folder itself when the classes run from a directory,
     * otherwise (from a jar) a copy in a temporary folder made once per process and deleted at exit.
     */
    public static synchronized Path folder() {
        if (folder == null) {
            folder = locate();
        }
        return folder;
    }

    private static Path locate() {
        URL url = DemoModel.class.getResource(RESOURCE + "config.json");
        if (url == null) {
            throw new IllegalStateException("resource " + RESOURCE + "config.json is missing from the build");
        }
        try {
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI()).getParent();
            }
            Path dir = Files.createTempDirectory("mixtral-demo-model");
            dir.toFile().deleteOnExit();
            for (String name : FILES) {
                try (InputStream in = DemoModel.class.getResourceAsStream(RESOURCE + name)) {
                    Path file = dir.resolve(name);
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    file.toFile().deleteOnExit();
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the demo model out of the jar", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
