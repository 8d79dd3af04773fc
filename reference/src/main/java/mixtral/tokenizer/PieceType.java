package mixtral.tokenizer;

/** The kind of a vocabulary entry, as SentencePiece's {@code ModelProto.SentencePiece.Type} numbers them. */
public enum PieceType {
    /** An ordinary piece that BPE merges can produce. */
    NORMAL(1),
    /** {@code <unk>}: what an unknown character becomes when there is no byte fallback. */
    UNKNOWN(2),
    /** {@code <s>}, {@code </s>}: never produced from text, decoded as nothing. */
    CONTROL(3),
    /** A piece that is always kept whole; not supported here (Mixtral has none). */
    USER_DEFINED(4),
    /** A piece merges may pass through but that is split back into the two pieces that made it. */
    UNUSED(5),
    /** {@code <0xNN>}: one UTF-8 byte, for characters the vocabulary lacks. */
    BYTE(6);

    final int protoNumber;

    PieceType(int protoNumber) {
        this.protoNumber = protoNumber;
    }

    static PieceType fromProto(int number) {
        for (PieceType t : values()) {
            if (t.protoNumber == number) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown piece type " + number);
    }
}
