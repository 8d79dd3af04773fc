package mixtral.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mixtral.BadInputException;

/**
 * Mixtral's tokenizer: SentencePiece BPE with byte fallback, giving the same ids as the {@code sentencepiece}
 * library for the same model file. Immutable: one instance can serve many threads.
 *
 * <p>Encoding: (1) normalize: put {@code ▁} (U+2581) before non-empty text (the "dummy prefix", so the first word
 * looks like any other) and write every space U+0020 as {@code ▁}; no other character is changed (identity
 * normalization: tabs, newlines and runs of spaces are kept). (2) BPE: start from one symbol per character and
 * merge adjacent symbols, best-scoring piece first ({@link BpeMerger}); from a tokenizer.json, lowest-ranked merge
 * first, as Hugging Face tokenizers does (the two agree on a converted Mixtral tokenizer). (3) A symbol the
 * vocabulary lacks becomes the byte pieces {@code <0xNN>} of its UTF-8 encoding (or {@code <unk>} in a model
 * without byte fallback). There is no pre-splitting: the model's split_by_whitespace, split_digits and similar
 * settings steered training only (digits come out one by one because the vocabulary has no multi-digit piece).
 * Text that spells a special token, such as {@code "<s>"}, is ordinary text, as in sentencepiece.
 *
 * <p>Decoding reverses this: byte pieces are joined into UTF-8 characters, {@code ▁} becomes a space, and the dummy
 * prefix is dropped from the first piece that shows anything.
 *
 * <p>Odd input never throws. A Java string is UTF-16: an unpaired surrogate is encoded as U+FFFD (as a UTF-8
 * encoder does, and as sentencepiece does with malformed UTF-8), so it decodes back as U+FFFD. NUL and other
 * control characters are ordinary characters (mostly byte pieces). The empty string encodes to no ids. Encoding
 * takes O(n log n) time, so a megabyte of text is fine. On decode, byte pieces that do not form valid UTF-8 become
 * one U+FFFD per byte, {@code <unk>} becomes the model's unk surface ({@code " ⁇ "}), control pieces ({@code <s>},
 * {@code </s>}) become nothing; an id outside the vocabulary is a {@link BadInputException}.
 */
public final class Tokenizer {
    private static final char SPACE_SYMBOL = '\u2581';
    private static final String DEMO_RESOURCE = "/demo-model/tokenizer.model";

    private final TokenizerModel model;
    /** Pieces a merge may produce (NORMAL and UNUSED), by text. */
    private final Map<String, Integer> mergeable = new HashMap<>();
    /** The other pieces (UNKNOWN, CONTROL, BYTE): they have ids but text never merges into them. */
    private final Map<String, Integer> reserved = new HashMap<>();
    private final int maxPieceLength;
    private final boolean hasUnused;
    private final int unkId;
    private final int bosId;
    private final int eosId;
    private final int[] byteIds = new int[256];
    /** For byte pieces, the byte; -1 otherwise. */
    private final int[] byteValue;

    public Tokenizer(TokenizerModel model) {
        this.model = model;
        String src = model.source();
        int unk = -1;
        int longest = 0;
        boolean unused = false;
        byteValue = new int[model.size()];
        Arrays.fill(byteValue, -1);
        Arrays.fill(byteIds, -1);
        for (int id = 0; id < model.size(); id++) {
            String piece = model.pieces().get(id);
            PieceType type = model.types()[id];
            if (piece.isEmpty()) {
                throw new BadInputException(src + ": piece " + id + " is empty");
            }
            boolean merges = type == PieceType.NORMAL || type == PieceType.UNUSED;
            if ((merges ? mergeable : reserved).putIfAbsent(piece, id) != null) {
                throw new BadInputException(src + ": piece '" + piece + "' (id " + id + ") is defined twice");
            }
            longest = Math.max(longest, piece.length());
            unused |= type == PieceType.UNUSED;
            if (type == PieceType.UNKNOWN) {
                if (unk >= 0) {
                    throw new BadInputException(src + ": two unknown pieces, ids " + unk + " and " + id);
                }
                unk = id;
            }
            if (type == PieceType.BYTE) {
                int b = parseBytePiece(piece);
                if (!model.byteFallback() || b < 0) {
                    throw new BadInputException(src + ": byte piece '" + piece + "' (id " + id + ") "
                            + (b < 0 ? "is not of the form <0xNN>" : "in a model without byte_fallback"));
                }
                byteValue[id] = b;
                byteIds[b] = id;
            }
        }
        if (unk < 0) {
            throw new BadInputException(src + ": no unknown piece (<unk>)");
        }
        for (int b = 0; model.byteFallback() && b < 256; b++) {
            if (byteIds[b] < 0) {
                throw new BadInputException(src + ": byte_fallback is on but piece " + bytePiece(b) + " is missing");
            }
        }
        unkId = unk;
        maxPieceLength = longest;
        hasUnused = unused;
        bosId = controlId(model.bosPiece());
        eosId = controlId(model.eosPiece());
    }

    /** Reads a SentencePiece {@code tokenizer.model} or a Hugging Face {@code tokenizer.json}. */
    public static Tokenizer load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such file");
        }
        return new Tokenizer(looksLikeJson(file) ? TokenizerJsonReader.read(file) : SentencePieceModelReader.read(file));
    }

    /** The tokenizer of a model folder: its {@code tokenizer.model}, else its {@code tokenizer.json}. */
    public static Tokenizer findInModelFolder(Path dir) {
        for (String name : List.of("tokenizer.model", "tokenizer.json")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return load(dir.resolve(name));
            }
        }
        throw new BadInputException(dir + ": no tokenizer found (looked for tokenizer.model and tokenizer.json)");
    }

    /** The small tokenizer of the project's demo model, shipped as a resource. */
    public static Tokenizer demo() {
        try (InputStream in = Tokenizer.class.getResourceAsStream(DEMO_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DEMO_RESOURCE + " is missing from the build");
            }
            return new Tokenizer(SentencePieceModelReader.parse("resource:" + DEMO_RESOURCE, in.readAllBytes()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + DEMO_RESOURCE, e);
        }
    }

    public int[] encode(String text) {
        return encode(text, false);
    }

    /** The ids of {@code text}, preceded by the BOS id {@code <s>} if {@code bos}. */
    public int[] encode(String text, boolean bos) {
        String normalized = normalize(text);
        IntList ids = new IntList(normalized.length() + 1);
        if (bos && bosId >= 0) {
            ids.add(bosId);
        }
        // SentencePiece splits a symbol that is an UNUSED piece back into the two symbols that formed it.
        Map<String, String[]> unmerge = hasUnused ? new HashMap<>() : Map.of();
        Map<String, Integer> ranks = model.mergeRanks();
        int[] bounds = BpeMerger.merge(normalized, (start, mid, end) -> {
            if (end - start > maxPieceLength) {
                return Float.NaN;
            }
            String piece = normalized.substring(start, end);
            Integer id = mergeable.get(piece);
            if (id == null) {
                return Float.NaN;
            }
            if (ranks != null) {
                Integer rank = ranks.get(normalized.substring(start, mid) + '\0' + normalized.substring(mid, end));
                return rank == null ? Float.NaN : -rank;
            }
            if (hasUnused && model.types()[id] == PieceType.UNUSED) {
                unmerge.put(piece, new String[] {normalized.substring(start, mid), normalized.substring(mid, end)});
            }
            return model.scores()[id];
        });
        boolean[] previousWasUnk = {false};
        for (int k = 0; k + 1 < bounds.length; k++) {
            emit(normalized.substring(bounds[k], bounds[k + 1]), unmerge, ids, previousWasUnk);
        }
        return ids.toArray();
    }

    private void emit(String symbol, Map<String, String[]> unmerge, IntList ids, boolean[] previousWasUnk) {
        int id = id(symbol);
        String[] parts = model.types()[id] == PieceType.UNUSED ? unmerge.get(symbol) : null;
        if (parts != null) {
            emit(parts[0], unmerge, ids, previousWasUnk);
            emit(parts[1], unmerge, ids, previousWasUnk);
        } else if (id == unkId && model.byteFallback()) {
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                ids.add(byteIds[b & 0xFF]);
            }
            previousWasUnk[0] = false;
        } else if (id != unkId || !previousWasUnk[0]) {    // runs of unknown characters become one <unk>
            ids.add(id);
            previousWasUnk[0] = id == unkId;
        }
    }

    /** The text of {@code ids}, as sentencepiece decodes it. */
    public String decode(int... ids) {
        StringBuilder text = new StringBuilder();
        byte[] pending = new byte[16];
        int pendingCount = 0;
        boolean atStart = true;    // the dummy prefix is dropped from the first piece that shows anything
        for (int id : ids) {
            if (id < 0 || id >= model.size()) {
                throw new BadInputException("token id " + id + " is out of range [0, " + model.size() + ")");
            }
            if (byteValue[id] >= 0) {
                if (pendingCount == pending.length) {
                    pending = Arrays.copyOf(pending, pendingCount * 2);
                }
                pending[pendingCount++] = (byte) byteValue[id];
                continue;
            }
            if (pendingCount > 0) {
                Utf8.decodeLeniently(pending, pendingCount, text);
                pendingCount = 0;
                atStart = false;
            }
            PieceType type = model.types()[id];
            if (type == PieceType.CONTROL) {
                continue;
            }
            if (type == PieceType.UNKNOWN) {
                text.append(model.unkSurface());
            } else {
                String piece = model.pieces().get(id);
                if (atStart && model.addDummyPrefix() && piece.charAt(0) == SPACE_SYMBOL) {
                    piece = piece.substring(1);
                }
                text.append(piece.replace(SPACE_SYMBOL, ' '));
            }
            atStart = false;
        }
        Utf8.decodeLeniently(pending, pendingCount, text);
        return text.toString();
    }

    /** The piece of an id, e.g. {@code ▁Hello}, {@code <0x0A>}, {@code <s>}. */
    public String piece(int id) {
        if (id < 0 || id >= model.size()) {
            throw new BadInputException("token id " + id + " is out of range [0, " + model.size() + ")");
        }
        return model.pieces().get(id);
    }

    /** The id of a piece; like sentencepiece, the unknown id for a string that is not a piece. */
    public int id(String piece) {
        Integer id = reserved.get(piece);
        if (id == null) {
            id = mergeable.get(piece);
        }
        return id == null ? unkId : id;
    }

    public int vocabSize() {
        return model.size();
    }

    /** The id of {@code <s>}, or -1 if the model has none. */
    public int bosId() {
        return bosId;
    }

    /** The id of {@code </s>}, or -1 if the model has none. */
    public int eosId() {
        return eosId;
    }

    public int unkId() {
        return unkId;
    }

    public TokenizerModel model() {
        return model;
    }

    /** Dummy prefix, spaces as {@code ▁}, unpaired surrogates as U+FFFD. */
    String normalize(String text) {
        if (text.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 1);
        if (model.addDummyPrefix()) {
            out.append(SPACE_SYMBOL);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                out.append(SPACE_SYMBOL);
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private int controlId(String piece) {
        Integer id = reserved.get(piece);
        return id != null && model.types()[id] == PieceType.CONTROL ? id : -1;
    }

    static String bytePiece(int b) {
        return String.format("<0x%02X>", b);
    }

    private static int parseBytePiece(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        try {
            return Integer.parseInt(piece.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean looksLikeJson(Path file) {
        if (file.getFileName().toString().endsWith(".json")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            int b;
            do {
                b = in.read();
            } while (b == ' ' || b == '\n' || b == '\r' || b == '\t');
            return b == '{';
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** A growable int array, to avoid boxing one Integer per token. */
    private static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[Math.max(capacity, 4)];
        }

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
