package mixtral.inspector.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mixtral.BadInputException;

/**
 * A headless Chromium for the page benchmark and the browser tests: {@code CHROMIUM_PATH}, else
 * {@code /usr/bin/chromium}, else Playwright's own (downloaded on a normal machine).
 */
public final class Chromium {
    /** Headless flags that keep Debian's Chromium quiet and off the network (see ../shared/notes/stack.md). */
    private static final List<String> ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage");

    private Chromium() {}

    /** A Playwright and a launched browser; closing it closes both. */
    public record Session(Playwright playwright, Browser browser) implements AutoCloseable {
        @Override
        public void close() {
            playwright.close();
        }
    }

    /** No browser could be started: none installed, and Playwright could not fetch its own. */
    public static final class NotFound extends BadInputException {
        NotFound(String message) {
            super(message);
        }
    }

    /**
     * Starts the browser. Throws {@link NotFound} when there is none, and a plain {@link BadInputException} when
     * {@code CHROMIUM_PATH} names something that is not an executable file.
     */
    public static Session launch() {
        Optional<Path> system = systemChromium();
        try {
            if (system.isPresent()) {
                Playwright pw = Playwright.create(new Playwright.CreateOptions()
                        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                return new Session(pw, pw.chromium().launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(system.get()).setHeadless(true).setArgs(ARGS)));
            }
            Playwright pw = Playwright.create();
            return new Session(pw, pw.chromium().launch(new BrowserType.LaunchOptions().setHeadless(true)));
        } catch (PlaywrightException e) {
            throw new NotFound("no Chromium (set CHROMIUM_PATH, install /usr/bin/chromium, or let Playwright "
                    + "download its own): " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Optional<Path> systemChromium() {
        String env = System.getenv("CHROMIUM_PATH");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isExecutable(p)) {
                throw new BadInputException("CHROMIUM_PATH=" + env + " is not an executable file");
            }
            return Optional.of(p);
        }
        Path debian = Path.of("/usr/bin/chromium");
        return Files.isExecutable(debian) ? Optional.of(debian) : Optional.empty();
    }
}
