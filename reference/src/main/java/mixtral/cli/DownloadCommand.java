package mixtral.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import mixtral.BadInputException;
import mixtral.hub.Downloader;
import mixtral.hub.RepoFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Fetch a model from the Hugging Face hub: config, tokenizer and safetensors weights (never pickles).",
            "Resumes an interrupted run, checks every file's size and checksum, and skips files already complete."})
final class DownloadCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REPO", description = "Repository, e.g. mistralai/Mixtral-8x7B-v0.1.")
    String repo;

    @Option(names = "--revision", defaultValue = "main", paramLabel = "R", description = "Branch, tag or commit (default main).")
    String revision;

    @Option(names = "--token", paramLabel = "T", description = "Access token for gated repositories (default: $HF_TOKEN).")
    String token;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to put the files (default: models/<name of the repo>).")
    Path dir;

    @Option(names = "--endpoint", paramLabel = "URL", description = "Hub address (default: $HF_ENDPOINT or https://huggingface.co).")
    String endpoint;

    @Override
    public Integer call() {
        if (!repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new BadInputException("REPO must look like owner/name, got '" + repo + "'");
        }
        Path target = dir != null ? dir : Path.of("models", repo.substring(repo.indexOf('/') + 1));
        String hub = endpoint != null ? endpoint : System.getenv().getOrDefault("HF_ENDPOINT", "https://huggingface.co");
        URI uri;
        try {
            uri = URI.create(hub.endsWith("/") ? hub : hub + "/");
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--endpoint: not a URL: " + hub);
        }
        try (Bar bar = new Bar()) {
            Downloader.Result r = new Downloader(uri, token != null ? token : System.getenv("HF_TOKEN"))
                    .download(repo, revision, target, bar);
            bar.close();
            System.out.printf("%s at %s: %d files in %s (%d fetched, %d already complete, %,d bytes transferred)%n",
                    repo, r.commit(), r.files().size(), target, r.fetched(), r.present(), r.bytesTransferred());
        }
        return Main.OK;
    }

    /** A progress bar over all bytes still to fetch, drawn on stderr (the progressbar library). */
    private static final class Bar implements Downloader.Listener, AutoCloseable {
        private ProgressBar bar;

        @Override
        public void plan(List<RepoFile> files, long bytesToFetch) {
            if (bytesToFetch > 0) {
                bar = new ProgressBarBuilder().setTaskName("download").setInitialMax(bytesToFetch)
                        .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1 << 20).showSpeed()
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
            }
        }

        @Override
        public void file(RepoFile file, long alreadyHere) {
            if (bar != null) {
                bar.setExtraMessage(file.name());
            }
        }

        @Override
        public void bytes(long n) {
            if (bar != null) {
                bar.stepBy(n);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
