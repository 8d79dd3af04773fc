package mixtral.inspector.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns SentencePiece pieces into labels a person can read. The space marker {@code ▁} becomes a visible
 * {@value #SPACE}; byte-fallback pieces {@code <0xNN>} that together spell a UTF-8 character show that character on the
 * first byte's token and {@code ‹NN›} on the following ones, so that an emoji split into four byte tokens reads
 * "😀 ‹9F› ‹98› ‹80›"; bytes that spell nothing show as {@code ‹NN›}. Newlines and tabs become visible arrows.
 */
public final class TokenLabels {
    public static final String SPACE = "␣";
    private static final char SENTENCEPIECE_SPACE = '▁';
    private static final Pattern BYTE_PIECE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");

    private TokenLabels() {}

    /** One label per piece, in order. */
    public static List<String> of(List<String> pieces) {
        List<String> labels = new ArrayList<>(pieces.size());
        int i = 0;
        while (i < pieces.size()) {
            if (byteOf(pieces.get(i)) < 0) {
                labels.add(plain(pieces.get(i)));
                i++;
                continue;
            }
            int end = i;
            while (end < pieces.size() && byteOf(pieces.get(end)) >= 0) {
                end++;
            }
            labelBytes(pieces.subList(i, end), labels);
            i = end;
        }
        return labels;
    }

    /** The byte value of a byte-fallback piece {@code <0xNN>}, or -1. */
    public static int byteOf(String piece) {
        Matcher m = BYTE_PIECE.matcher(piece);
        return m.matches() ? Integer.parseInt(m.group(1), 16) : -1;
    }

    private static String plain(String piece) {
        if (piece.isEmpty()) {
            return "∅";
        }
        return visible(piece.replace(SENTENCEPIECE_SPACE, ' ')).replace(" ", SPACE);
    }

    private static String visible(String text) {
        return text.replace("\r", "⏎").replace("\n", "↵").replace("\t", "⇥");
    }

    /** Decodes a run of byte pieces character by character: each complete UTF-8 sequence labels its first byte. */
    private static void labelBytes(List<String> run, List<String> labels) {
        int j = 0;
        while (j < run.size()) {
            int lead = byteOf(run.get(j));
            int length = utf8Length(lead);
            String ch = length > 0 && j + length <= run.size() ? decode(run.subList(j, j + length)) : null;
            if (ch == null) {
                labels.add(hex(lead));
                j++;
                continue;
            }
            labels.add(ch.isBlank() ? plain(ch) : visible(ch));
            for (int c = 1; c < length; c++) {
                labels.add(hex(byteOf(run.get(j + c))));
            }
            j += length;
        }
    }

    private static int utf8Length(int lead) {
        if (lead < 0x80) {
            return 1;
        }
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 0;
    }

    private static String decode(List<String> bytePieces) {
        byte[] bytes = new byte[bytePieces.size()];
        for (int k = 0; k < bytes.length; k++) {
            bytes[k] = (byte) byteOf(bytePieces.get(k));
        }
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = strict.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String hex(int b) {
        return String.format("‹%02X›", b);
    }
}
