package mixtral.tokenizer;

/** UTF-8 decoding with sentencepiece's rule for bad bytes: each byte that does not start a valid character is U+FFFD. */
final class Utf8 {
    private Utf8() {
    }

    static void decodeLeniently(byte[] bytes, int length, StringBuilder out) {
        int i = 0;
        while (i < length) {
            int b0 = bytes[i] & 0xFF;
            int need;
            int cp;
            int min;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            } else if ((b0 & 0xE0) == 0xC0) {
                need = 2; cp = b0 & 0x1F; min = 0x80;
            } else if ((b0 & 0xF0) == 0xE0) {
                need = 3; cp = b0 & 0x0F; min = 0x800;
            } else if ((b0 & 0xF8) == 0xF0) {
                need = 4; cp = b0 & 0x07; min = 0x10000;
            } else {
                need = 0; cp = -1; min = 0;
            }
            boolean valid = need > 0 && i + need <= length;
            for (int k = 1; valid && k < need; k++) {
                int b = bytes[i + k] & 0xFF;
                valid = (b & 0xC0) == 0x80;
                cp = (cp << 6) | (b & 0x3F);
            }
            valid = valid && cp >= min && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
            if (valid) {
                out.appendCodePoint(cp);
                i += need;
            } else {
                out.append('\uFFFD');
                i++;
            }
        }
    }
}
