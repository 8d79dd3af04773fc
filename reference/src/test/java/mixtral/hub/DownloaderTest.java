package mixtral.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mixtral.config.MixtralConfig;
import mixtral.model.TinyConfigs;
import mixtral.weights.Checkpoint;
import mixtral.weights.CheckpointWriter;
import mixtral.weights.Layout;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
    @TempDir
    Path tmp;
    FakeHub hub;

    /** The fake repository holds a real tiny checkpoint in two shards, a tokenizer, and files a model does not need. */
    @BeforeEach
    void serveATinyCheckpoint() throws Exception {
        hub = new FakeHub();
        MixtralConfig c = TinyConfigs.gqa();
        Path src = tmp.resolve("src");
        new CheckpointWriter(Layout.HUGGING_FACE).shards(2).write(new RandomWeights(c, 3), src);
        try (var files = Files.list(src)) {
            for (Path f : files.sorted().toList()) {
                hub.files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        hub.files.put("tokenizer.model", new byte[] {1, 2, 3, 4});
        hub.files.put("README.md", "# tiny".getBytes(StandardCharsets.UTF_8));
        hub.files.put("pytorch_model.bin", new byte[100]);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private Downloader.Result download(String token) {
        return new Downloader(hub.endpoint(), token).download(FakeHub.REPO, "main", tmp.resolve("out"), Downloader.Listener.NONE);
    }

    @Test
    void fetchesConfigTokenizerAndSafetensorsThatLoadAsACheckpoint() throws Exception {
        Downloader.Result r = download(null);
        assertEquals(FakeHub.COMMIT, r.commit());
        List<String> names = r.files().stream().map(RepoFile::name).sorted().toList();
        assertTrue(names.contains("config.json") && names.contains("tokenizer.model")
                && names.contains("model.safetensors.index.json"), names.toString());
        assertFalse(names.contains("pytorch_model.bin") || names.contains("README.md"), "pickles and docs are not fetched");
        for (String n : names) {
            assertArrayEquals(hub.files.get(n), Files.readAllBytes(tmp.resolve("out").resolve(n)), n);
        }
        try (Checkpoint c = Checkpoint.open(tmp.resolve("out"))) {
            assertEquals(2, c.config().numHiddenLayers());
        }
    }

    @Test
    void aSecondRunFetchesNothingAgain() {
        download(null);
        Downloader.Result again = download(null);
        assertEquals(0, again.fetched());
        assertEquals(0, again.bytesTransferred());
    }

    @Test
    void anInterruptedTransferResumesWhereItStopped() throws Exception {
        String shard = hub.files.keySet().stream().filter(n -> n.startsWith("model-00001")).findFirst().orElseThrow();
        int size = hub.files.get(shard).length;
        hub.dropFile = shard;
        hub.dropAfter = 1000;
        DownloadException e = assertThrows(DownloadException.class, () -> download(null));
        assertTrue(e.getMessage().contains("run the same command again to resume"), e.getMessage());
        Path part = tmp.resolve("out").resolve(shard + ".part");
        assertEquals(1000, Files.size(part), "what arrived is kept");
        assertFalse(Files.exists(tmp.resolve("out").resolve(shard)), "an incomplete file never gets its real name");

        Downloader.Result r = download(null);
        assertEquals(List.of(shard + " bytes=1000-"), hub.ranges, "the second run asks only for the rest");
        assertArrayEquals(hub.files.get(shard), Files.readAllBytes(tmp.resolve("out").resolve(shard)));
        assertFalse(Files.exists(part));
        long firstRun = 1000 + hub.files.entrySet().stream().filter(f -> f.getKey().compareTo(shard) < 0
                && !f.getKey().endsWith(".bin") && !f.getKey().equals("README.md")).mapToLong(f -> f.getValue().length).sum();
        assertTrue(size > 1000);
        long needed = r.files().stream().mapToLong(RepoFile::size).sum();
        assertEquals(needed - firstRun, r.bytesTransferred(), "bytes already here are not fetched again");
    }

    @Test
    void aCorruptedFileIsDeletedAndNamedNeverKept() throws Exception {
        String shard = hub.files.keySet().stream().filter(n -> n.startsWith("model-00002")).findFirst().orElseThrow();
        hub.corrupt = shard;
        DownloadException e = assertThrows(DownloadException.class, () -> download(null));
        assertTrue(e.getMessage().startsWith(shard + ": checksum mismatch"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out").resolve(shard)));
        assertFalse(Files.exists(tmp.resolve("out").resolve(shard + ".part")));

        hub.corrupt = null;
        download(null);
        assertArrayEquals(hub.files.get(shard), Files.readAllBytes(tmp.resolve("out").resolve(shard)), "fetched anew");
    }

    @Test
    void aGatedRepositoryAsksForATokenAndWorksWithOne() {
        hub.token = "hf_secret";
        DownloadException e = assertThrows(DownloadException.class, () -> download(null));
        assertTrue(e.getMessage().contains("access denied") && e.getMessage().contains("HF_TOKEN"), e.getMessage());
        assertTrue(download("hf_secret").fetched() > 0);
    }

    @Test
    void anUnknownRepositoryIsOneClearLine() {
        DownloadException e = assertThrows(DownloadException.class, () -> new Downloader(hub.endpoint(), null)
                .download("acme/nothing", "main", tmp.resolve("x"), Downloader.Listener.NONE));
        assertEquals("acme/nothing: not found on " + hub.endpoint() + " (check the name and --revision)", e.getMessage());
    }

    @Test
    void theDownloadCommandFetchesIntoTheFolderAndRejectsAMalformedRepoName() {
        String out = tmp.resolve("cli").toString();
        assertEquals(0, mixtral.cli.Main.run("download", FakeHub.REPO, "--endpoint", hub.endpoint().toString(), "--dir", out));
        assertTrue(Files.isRegularFile(Path.of(out, "config.json")));
        assertEquals(2, mixtral.cli.Main.run("download", "not a repo", "--endpoint", hub.endpoint().toString()));
        assertEquals(2, mixtral.cli.Main.run("download", "acme/missing", "--endpoint", hub.endpoint().toString(), "--dir", out));
    }
}
