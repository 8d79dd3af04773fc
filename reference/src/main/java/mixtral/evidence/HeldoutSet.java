package mixtral.evidence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mixtral.BadInputException;
import mixtral.tokenizer.Tokenizer;

/**
 * The held-out windows of every source of a corpus manifest, tokenized, each tagged with its source's group.
 *
 * @param groups           group names, in the manifest's order of first appearance
 * @param windows          every window, source by source in the manifest's order
 * @param windowTokens     T, tokens per window including the BOS first
 * @param windowsPerSource the most windows taken from one source
 */
public record HeldoutSet(List<String> groups, List<Window> windows, int windowTokens, int windowsPerSource) {
    /**
     * What writes the held-out text (git keeps only its manifest), run at the repository root with Debian's Python,
     * as root: it installs the Debian packages the text comes from (trained-model/README.md).
     */
    public static final String CORPUS_STEP = "/usr/bin/python3 trained-model/build_corpus.py";

    /** One window: BOS and T-1 tokens of a source's held-out stream. */
    public record Window(String source, int group, long[] tokens) {}

    /**
     * Reads {@code dir/<source>.txt} for every source of the manifest and cuts its windows ({@link HeldoutWindows}).
     * A missing file, or a group left without a window, is one line of bad input.
     */
    public static HeldoutSet read(CorpusManifest manifest, Path dir, Tokenizer tokenizer, int windowTokens,
                                  int windowsPerSource) {
        if (windowTokens < 2 || windowsPerSource < 1) {
            throw new BadInputException("need at least 2 tokens and 1 window per source, got " + windowTokens
                    + " and " + windowsPerSource);
        }
        for (CorpusManifest.Source s : manifest.sources()) {
            Path file = dir.resolve(s.source() + ".txt");
            if (!Files.isRegularFile(file)) {
                throw new BadInputException(file + ": held-out text missing; run " + CORPUS_STEP);
            }
        }
        List<String> groups = manifest.groups();
        List<Window> windows = new ArrayList<>();
        for (CorpusManifest.Source s : manifest.sources()) {
            int[] stream = HeldoutWindows.stream(readUtf8(dir.resolve(s.source() + ".txt")), tokenizer);
            for (long[] w : HeldoutWindows.windows(stream, windowTokens, windowsPerSource, tokenizer.bosId())) {
                windows.add(new Window(s.source(), groups.indexOf(s.language()), w));
            }
        }
        HeldoutSet set = new HeldoutSet(groups, List.copyOf(windows), windowTokens, windowsPerSource);
        for (int g = 0; g < groups.size(); g++) {
            if (set.tokens(g) == 0) {
                throw new BadInputException(dir + ": group '" + groups.get(g) + "' has no held-out text of "
                        + windowTokens + " tokens");
            }
        }
        return set;
    }

    private static String readUtf8(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Tokens of a group that the statistics count: every window's, without its BOS. */
    public long tokens(int group) {
        return windows.stream().filter(w -> w.group() == group).mapToLong(w -> w.tokens().length - 1).sum();
    }
}
