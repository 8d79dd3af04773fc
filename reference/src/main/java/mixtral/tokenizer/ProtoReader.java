package mixtral.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Reads the protobuf wire format, just enough for SentencePiece's {@code ModelProto}. A message is a sequence of
 * fields, each a varint tag {@code (number << 3) | wireType} followed by its value: a varint (type 0), 8 bytes
 * (type 1), a length-prefixed blob (type 2: strings, bytes and nested messages) or 4 bytes (type 5).
 * Malformed input throws {@link IllegalArgumentException}; the caller names the file.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] buf;
    private int pos;
    private final int end;
    private int tag;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int from, int to) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (pos >= end) {
            return false;
        }
        long t = readVarint();
        if (t >>> 3 == 0 || t >>> 32 != 0) {
            throw new IllegalArgumentException("bad field tag " + t + " at byte " + pos);
        }
        tag = (int) t;
        return true;
    }

    int field() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long varint() {
        expect(VARINT);
        return readVarint();
    }

    boolean bool() {
        return varint() != 0;
    }

    /** An {@code int32}; negative values arrive as 10-byte varints and truncate back to 32 bits. */
    int int32() {
        return (int) varint();
    }

    float float32() {
        expect(FIXED32);
        require(4);
        int bits = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    String string() {
        int len = lengthPrefix();
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    byte[] bytes() {
        int len = lengthPrefix();
        byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return b;
    }

    ProtoReader message() {
        int len = lengthPrefix();
        ProtoReader nested = new ProtoReader(buf, pos, pos + len);
        pos += len;
        return nested;
    }

    void skip() {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> { require(8); pos += 8; }
            case LENGTH_DELIMITED -> {
                int len = lengthPrefix();    // not "pos += lengthPrefix()": that reads pos before the prefix moves it
                pos += len;
            }
            case FIXED32 -> { require(4); pos += 4; }
            default -> throw new IllegalArgumentException("unsupported wire type " + wireType() + " for field " + field());
        }
    }

    private int lengthPrefix() {
        expect(LENGTH_DELIMITED);
        long len = readVarint();
        if (len < 0 || len > end - pos) {
            throw new IllegalArgumentException("field " + field() + " length " + len + " runs past the end");
        }
        return (int) len;
    }

    private long readVarint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            require(1);
            byte b = buf[pos++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes at byte " + pos);
    }

    private void expect(int wireType) {
        if (wireType() != wireType) {
            throw new IllegalArgumentException("field " + field() + " has wire type " + wireType() + ", expected " + wireType);
        }
    }

    private void require(int n) {
        if (end - pos < n) {
            throw new IllegalArgumentException("message truncated at byte " + pos);
        }
    }
}
