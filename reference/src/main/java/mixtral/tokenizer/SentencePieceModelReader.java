package mixtral.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mixtral.BadInputException;

/**
 * Reads a SentencePiece {@code tokenizer.model}: a protobuf {@code ModelProto} holding the pieces (text, score,
 * type), the trainer settings and the normalizer settings. Only the settings that change how text is encoded are
 * kept; a setting this encoder does not implement is refused with a message naming it, rather than ignored.
 */
final class SentencePieceModelReader {
    private static final int BPE = 2;
    private static final String[] MODEL_TYPES = {"?", "UNIGRAM", "BPE", "WORD", "CHAR"};

    private SentencePieceModelReader() {
    }

    static TokenizerModel read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        try {
            return parse(file.toString(), bytes);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": not a SentencePiece model (" + e.getMessage() + ")", e);
        }
    }

    static TokenizerModel parse(String source, byte[] bytes) {
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<PieceType> types = new ArrayList<>();
        Trainer trainer = new Trainer();
        Normalizer normalizer = new Normalizer();
        Normalizer denormalizer = new Normalizer();
        ProtoReader model = new ProtoReader(bytes);
        while (model.next()) {
            switch (model.field()) {
                case 1 -> readPiece(model.message(), pieces, scores, types);
                case 2 -> trainer.read(model.message());
                case 3 -> normalizer.read(model.message());
                case 5 -> denormalizer.read(model.message());
                default -> model.skip();
            }
        }
        if (pieces.isEmpty()) {
            throw new IllegalArgumentException("no pieces");
        }
        refuse(source, trainer.modelType != BPE,
                "model_type " + MODEL_TYPES[Math.min(Math.max(trainer.modelType, 0), 4)] + " is not supported (only BPE)");
        refuse(source, normalizer.charsmap.length > 0 || !normalizer.ruleTsv.isEmpty(),
                "normalizer '" + normalizer.name + "' rewrites characters; only identity normalization is supported");
        refuse(source, denormalizer.charsmap.length > 0 || !denormalizer.ruleTsv.isEmpty(),
                "a denormalizer is not supported");
        refuse(source, normalizer.removeExtraWhitespaces, "remove_extra_whitespaces=true is not supported");
        refuse(source, !normalizer.escapeWhitespaces, "escape_whitespaces=false is not supported");
        refuse(source, trainer.treatWhitespaceAsSuffix, "treat_whitespace_as_suffix=true is not supported");
        refuse(source, types.contains(PieceType.USER_DEFINED), "USER_DEFINED pieces are not supported");
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        return new TokenizerModel(source, List.copyOf(pieces), s, null, types.toArray(PieceType[]::new),
                normalizer.addDummyPrefix, trainer.byteFallback, trainer.unkSurface, trainer.bosPiece, trainer.eosPiece);
    }

    private static void readPiece(ProtoReader m, List<String> pieces, List<Float> scores, List<PieceType> types) {
        String piece = "";
        float score = 0f;
        PieceType type = PieceType.NORMAL;
        while (m.next()) {
            switch (m.field()) {
                case 1 -> piece = m.string();
                case 2 -> score = m.float32();
                case 3 -> type = PieceType.fromProto(m.int32());
                default -> m.skip();
            }
        }
        pieces.add(piece);
        scores.add(score);
        types.add(type);
    }

    private static void refuse(String source, boolean unsupported, String what) {
        if (unsupported) {
            throw new BadInputException(source + ": " + what);
        }
    }

    /** TrainerSpec fields that matter for encoding, with the proto's defaults. */
    private static final class Trainer {
        int modelType = 1;
        boolean byteFallback = false;
        boolean treatWhitespaceAsSuffix = false;
        String unkSurface = " \u2047 ";
        String bosPiece = "<s>";
        String eosPiece = "</s>";

        void read(ProtoReader m) {
            while (m.next()) {
                switch (m.field()) {
                    case 3 -> modelType = m.int32();
                    case 24 -> treatWhitespaceAsSuffix = m.bool();
                    case 35 -> byteFallback = m.bool();
                    case 44 -> unkSurface = m.string();
                    case 46 -> bosPiece = m.string();
                    case 47 -> eosPiece = m.string();
                    default -> m.skip();
                }
            }
        }
    }

    /** NormalizerSpec, with the proto's defaults (note remove_extra_whitespaces defaults to true). */
    private static final class Normalizer {
        String name = "";
        byte[] charsmap = new byte[0];
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;
        String ruleTsv = "";

        void read(ProtoReader m) {
            while (m.next()) {
                switch (m.field()) {
                    case 1 -> name = m.string();
                    case 2 -> charsmap = m.bytes();
                    case 3 -> addDummyPrefix = m.bool();
                    case 4 -> removeExtraWhitespaces = m.bool();
                    case 5 -> escapeWhitespaces = m.bool();
                    case 6 -> ruleTsv = m.string();
                    default -> m.skip();
                }
            }
        }
    }
}
