package io.floorflash.protocol;

/** The six TFTP opcodes: RFC 1350 (1-5) and RFC 2347 (6). */
public enum Opcode {
    RRQ(1), WRQ(2), DATA(3), ACK(4), ERROR(5), OACK(6);

    private static final Opcode[] BY_CODE = {null, RRQ, WRQ, DATA, ACK, ERROR, OACK};

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** The value on the wire. */
    public int code() {
        return code;
    }

    /** The opcode for {@code code}, or {@code null} when the value is not a TFTP opcode. */
    public static Opcode fromCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
