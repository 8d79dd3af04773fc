package mixtral.evidence;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mixtral.BadInputException;

/**
 * The sources of the trained demo model's corpus, as {@code trained-model/corpus-manifest.json} lists them: each
 * source's name (its held-out text is {@code heldout/<source>.txt}) and its group, the "language" key
 * (en, fr, de, es, it or code). The other keys (package, licence, hashes) are not needed here.
 *
 * @param sources the sources in the manifest's order
 * @param sha256  hex sha256 of the manifest file, so that a report names the data it was computed on
 */
public record CorpusManifest(List<Source> sources, String sha256) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** One source: its name and its group. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(String source, String language) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Parsed(List<Source> sources) {}

    /** Reads and checks a manifest; anything wrong with it is one line naming the file. */
    public static CorpusManifest read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such manifest file (run " + HeldoutSet.CORPUS_STEP + ")");
        }
        Parsed parsed;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
            parsed = JSON.readValue(bytes, Parsed.class);
        } catch (JacksonException e) {
            String first = e.getOriginalMessage().lines().findFirst().orElse("");
            throw new BadInputException(file + ": not a corpus manifest: " + first);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
        if (parsed == null || parsed.sources() == null || parsed.sources().isEmpty()) {
            throw new BadInputException(file + ": not a corpus manifest: no \"sources\" list");
        }
        for (int i = 0; i < parsed.sources().size(); i++) {
            Source s = parsed.sources().get(i);
            if (s == null || blank(s.source()) || blank(s.language())) {
                throw new BadInputException(file + ": source " + i + " lacks a \"source\" or \"language\" key");
            }
            if (s.source().contains("/") || s.source().contains("\\") || s.source().startsWith(".")) {
                throw new BadInputException(file + ": source name '" + s.source() + "' is not a plain file name");
            }
        }
        return new CorpusManifest(List.copyOf(parsed.sources()), Sha256.of(bytes));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The groups in the order they first appear: en, fr, de, es, it, code for the real manifest. */
    public List<String> groups() {
        List<String> groups = new ArrayList<>();
        for (Source s : sources) {
            if (!groups.contains(s.language())) {
                groups.add(s.language());
            }
        }
        return groups;
    }
}
