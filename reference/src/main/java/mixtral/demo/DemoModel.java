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
 * The embedded demo model: a small Mixtral (6 layers, 8 experts, top-2, D=192, V=4000) trained on five languages and
 * code, shipped as resources under {@code /demo-model/} (config.json, model.safetensors in BF16, tokenizer.model).
 * How it was made, from the corpus to the weights: {@code trained-model/README.md}; what it learned:
 * {@code docs/trained-model.md}.
 */
public final class DemoModel {
    /** What the inspector and the docs say about the demo model, in one sentence. */
    public static final String DESCRIPTION = "The embedded demo model: a small Mixtral (6 layers, 8 experts with "
            + "top-2 routing, hidden size 192, 6 query heads over 2 key/value heads; 10.98M parameters, 22 MB in bf16) "
            + "with a 4,000-piece tokenizer, trained for 3,000 steps (9.2M tokens) with Hugging Face's MixtralForCausalLM "
            + "and Mixtral's router load-balancing loss on text from Debian packages in English, French, German, Spanish "
            + "and Italian and on Java and Python source code.";

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
