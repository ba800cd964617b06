package org.dicomlb.dicom.dimse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Writes and reads DIMSE command sets: group 0000 elements in implicit VR little endian
 * (PS3.7 §6.3.1, PS3.5 §7.1.3), which is how every command set travels whatever transfer
 * syntax the presentation context negotiated for data sets.
 */
public final class DimseCodec {
    static final int TAG_GROUP_LENGTH = 0x0000;
    static final int TAG_AFFECTED_SOP_CLASS_UID = 0x0002;
    static final int TAG_COMMAND_FIELD = 0x0100;
    static final int TAG_MESSAGE_ID = 0x0110;
    static final int TAG_MESSAGE_ID_BEING_RESPONDED_TO = 0x0120;
    static final int TAG_PRIORITY = 0x0700;
    static final int TAG_COMMAND_DATA_SET_TYPE = 0x0800;
    static final int TAG_STATUS = 0x0900;
    static final int TAG_AFFECTED_SOP_INSTANCE_UID = 0x1000;

    /** Command Data Set Type value meaning "no data set follows". */
    static final int NO_DATA_SET = 0x0101;

    private static final int ELEMENT_HEADER = 8;

    private DimseCodec() {
    }

    /** The command set with its group length, in ascending tag order as PS3.5 requires. */
    public static byte[] encode(DimseCommand c) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(96);
        c.affectedSopClassUid().ifPresent(u -> writeUid(body, TAG_AFFECTED_SOP_CLASS_UID, u));
        writeUs(body, TAG_COMMAND_FIELD, c.commandField().code());
        c.messageId().ifPresent(v -> writeUs(body, TAG_MESSAGE_ID, v));
        c.messageIdBeingRespondedTo().ifPresent(v -> writeUs(body, TAG_MESSAGE_ID_BEING_RESPONDED_TO, v));
        c.priority().ifPresent(v -> writeUs(body, TAG_PRIORITY, v));
        // Any value other than 0x0101 means a data set follows; 0x0000 is what peers commonly send.
        writeUs(body, TAG_COMMAND_DATA_SET_TYPE, c.hasDataSet() ? 0x0000 : NO_DATA_SET);
        c.status().ifPresent(v -> writeUs(body, TAG_STATUS, v));
        c.affectedSopInstanceUid().ifPresent(u -> writeUid(body, TAG_AFFECTED_SOP_INSTANCE_UID, u));

        ByteBuffer out = ByteBuffer.allocate(ELEMENT_HEADER + 4 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) 0).putShort((short) TAG_GROUP_LENGTH).putInt(4).putInt(body.size());
        out.put(body.toByteArray());
        return out.array();
    }

    /**
     * Reads a whole command set. Elements this record does not model are skipped, so are
     * retired and private-looking ones; the group length, if present, is not trusted.
     */
    public static DimseCommand decode(byte[] commandSet) throws DimseException {
        ByteBuffer in = ByteBuffer.wrap(commandSet).order(ByteOrder.LITTLE_ENDIAN);
        TreeMap<Integer, byte[]> elements = new TreeMap<>();
        while (in.hasRemaining()) {
            if (in.remaining() < ELEMENT_HEADER) {
                throw new DimseException("command set ends inside an element header");
            }
            int group = Short.toUnsignedInt(in.getShort());
            int element = Short.toUnsignedInt(in.getShort());
            long length = Integer.toUnsignedLong(in.getInt());
            if (group != 0x0000) {
                throw new DimseException(String.format("command set holds element (%04X,%04X) outside group 0000",
                        group, element));
            }
            if (length > in.remaining()) {
                throw new DimseException(String.format("element (0000,%04X) announces %d octets, %d remain",
                        element, length, in.remaining()));
            }
            byte[] value = new byte[(int) length];
            in.get(value);
            elements.putIfAbsent(element, value);
        }
        int fieldCode = requireUs(elements, TAG_COMMAND_FIELD, "Command Field").orElseThrow();
        CommandField field = CommandField.fromCode(fieldCode)
                .orElseThrow(() -> new DimseException(String.format("command field 0x%04X is not defined", fieldCode)));
        int dataSetType = requireUs(elements, TAG_COMMAND_DATA_SET_TYPE, "Command Data Set Type").orElseThrow();
        try {
            return new DimseCommand(field,
                    us(elements, TAG_MESSAGE_ID),
                    us(elements, TAG_MESSAGE_ID_BEING_RESPONDED_TO),
                    uid(elements, TAG_AFFECTED_SOP_CLASS_UID),
                    uid(elements, TAG_AFFECTED_SOP_INSTANCE_UID),
                    us(elements, TAG_PRIORITY),
                    dataSetType != NO_DATA_SET,
                    us(elements, TAG_STATUS));
        } catch (IllegalArgumentException e) {
            throw new DimseException(e.getMessage());
        }
    }

    private static OptionalInt requireUs(TreeMap<Integer, byte[]> elements, int tag, String name)
            throws DimseException {
        OptionalInt v = us(elements, tag);
        if (v.isEmpty()) {
            throw new DimseException(String.format("command set lacks %s (0000,%04X)", name, tag));
        }
        return v;
    }

    private static OptionalInt us(TreeMap<Integer, byte[]> elements, int tag) throws DimseException {
        byte[] v = elements.get(tag);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (v.length != 2) {
            throw new DimseException(String.format("element (0000,%04X) is US but %d octets long", tag, v.length));
        }
        return OptionalInt.of((v[0] & 0xff) | (v[1] & 0xff) << 8);
    }

    private static Optional<String> uid(TreeMap<Integer, byte[]> elements, int tag) {
        byte[] v = elements.get(tag);
        if (v == null) {
            return Optional.empty();
        }
        int end = v.length;
        // UI values are padded to even length with NUL; some senders pad with a space instead.
        while (end > 0 && (v[end - 1] == 0 || v[end - 1] == ' ')) {
            end--;
        }
        return Optional.of(new String(v, 0, end, StandardCharsets.ISO_8859_1));
    }

    private static void writeUs(ByteArrayOutputStream out, int element, int value) {
        writeHeader(out, element, 2);
        out.write(value & 0xff);
        out.write(value >>> 8 & 0xff);
    }

    private static void writeUid(ByteArrayOutputStream out, int element, String uid) {
        byte[] b = uid.getBytes(StandardCharsets.US_ASCII);
        int padded = b.length + (b.length & 1);
        writeHeader(out, element, padded);
        out.write(b, 0, b.length);
        if (padded != b.length) {
            out.write(0);
        }
    }

    private static void writeHeader(ByteArrayOutputStream out, int element, int length) {
        out.write(0);
        out.write(0);
        out.write(element & 0xff);
        out.write(element >>> 8 & 0xff);
        out.write(length & 0xff);
        out.write(length >>> 8 & 0xff);
        out.write(length >>> 16 & 0xff);
        out.write(length >>> 24 & 0xff);
    }
}
