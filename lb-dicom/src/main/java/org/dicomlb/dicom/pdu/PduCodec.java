package org.dicomlb.dicom.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.WireAeTitle;

/**
 * Encodes {@link Pdu} records to PS3.8 §9.3 bytes and decodes them back. PDU and item fields
 * are big-endian; lengths are unsigned (a 32-bit PDU length above 2^31 is a length, not a
 * negative number). Reserved fields are written as zero and never tested on receipt.
 *
 * <p>Decoding reads one whole PDU, header included, as {@link
 * org.dicomlb.dicom.netty.PduFrameDecoder} delivers it, and reports anything that is not a
 * valid PDU as a {@link PduDecodeException} carrying the A-ABORT reason to answer with.
 * The codec does not know the association state: a PDU that is valid but arrives at the wrong
 * time (an A-ASSOCIATE-AC as the first PDU an acceptor sees) decodes fine, and the handler
 * that knows the state answers it with {@link AbortReason#UNEXPECTED_PDU}.
 */
public final class PduCodec {
    /** Type, reserved, 32-bit length. */
    public static final int HEADER_LENGTH = 6;
    /** Fixed part of A-ASSOCIATE-RQ/AC after the header: version, reserved, two AEs, 32 reserved. */
    static final int ASSOCIATE_FIXED_LENGTH = 68;

    static final int ITEM_APPLICATION_CONTEXT = 0x10;
    static final int ITEM_PRESENTATION_CONTEXT_RQ = 0x20;
    static final int ITEM_PRESENTATION_CONTEXT_AC = 0x21;
    static final int ITEM_ABSTRACT_SYNTAX = 0x30;
    static final int ITEM_TRANSFER_SYNTAX = 0x40;
    static final int ITEM_USER_INFORMATION = 0x50;

    private PduCodec() {
    }

    // ---------------------------------------------------------------------------------- encode

    public static ByteBuf encode(Pdu pdu, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(128);
        try {
            encodeInto(pdu, out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    public static byte[] encodeToArray(Pdu pdu) {
        ByteBuf buf = Unpooled.buffer();
        encodeInto(pdu, buf);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    /** Appends {@code pdu} to {@code out}. */
    public static void encodeInto(Pdu pdu, ByteBuf out) {
        out.writeByte(pdu.type().code());
        out.writeByte(0);
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        int bodyAt = out.writerIndex();
        switch (pdu) {
            case AssociateRq rq -> writeAssociate(out, rq.protocolVersion(), rq.calledAe(), rq.callingAe(),
                    rq.applicationContext(), () -> rq.presentationContexts().forEach(pc -> writeContextRq(out, pc)),
                    rq.userInformation());
            case AssociateAc ac -> writeAssociate(out, ac.protocolVersion(), ac.calledAe(), ac.callingAe(),
                    ac.applicationContext(), () -> ac.presentationContexts().forEach(pc -> writeContextAc(out, pc)),
                    ac.userInformation());
            case AssociateRj rj -> {
                out.writeByte(0);
                out.writeByte(rj.result().code());
                out.writeByte(rj.source().code());
                out.writeByte(rj.reasonCode());
            }
            case PDataTf p -> p.pdvs().forEach(pdv -> {
                out.writeInt(2 + pdv.data().length());
                out.writeByte(pdv.contextId());
                out.writeByte(pdv.controlHeader());
                pdv.data().writeTo(out);
            });
            case ReleaseRq r -> out.writeInt(0);
            case ReleaseRp r -> out.writeInt(0);
            case Abort a -> {
                out.writeByte(0);
                out.writeByte(0);
                out.writeByte(a.source().code());
                out.writeByte(a.reason().code());
            }
        }
        // Written as a 32-bit pattern; lengths up to 2^32-1 are legal and read back unsigned.
        out.setInt(lengthAt, out.writerIndex() - bodyAt);
    }

    private static void writeAssociate(ByteBuf out, int version, WireAeTitle called, WireAeTitle calling,
            String appContext, Runnable contexts, UserInformation info) {
        out.writeShort(version);
        out.writeShort(0);
        out.writeBytes(called.toWire());
        out.writeBytes(calling.toWire());
        out.writeZero(32);
        writeUidItem(out, ITEM_APPLICATION_CONTEXT, appContext);
        contexts.run();
        int at = beginItem(out, ITEM_USER_INFORMATION);
        for (UserInfoItem item : info.items()) {
            writeUserInfoItem(out, item);
        }
        endItem(out, at, () -> "user information");
    }

    private static void writeContextRq(ByteBuf out, PresentationContextRq pc) {
        int at = beginItem(out, ITEM_PRESENTATION_CONTEXT_RQ);
        out.writeByte(pc.id());
        out.writeZero(3);
        writeUidItem(out, ITEM_ABSTRACT_SYNTAX, pc.abstractSyntax());
        pc.transferSyntaxes().forEach(ts -> writeUidItem(out, ITEM_TRANSFER_SYNTAX, ts));
        endItem(out, at, () -> "presentation context " + pc.id());
    }

    private static void writeContextAc(ByteBuf out, PresentationContextAc pc) {
        int at = beginItem(out, ITEM_PRESENTATION_CONTEXT_AC);
        out.writeByte(pc.id());
        out.writeByte(0);
        out.writeByte(pc.result().code());
        out.writeByte(0);
        writeUidItem(out, ITEM_TRANSFER_SYNTAX, pc.transferSyntax());
        endItem(out, at, () -> "presentation context " + pc.id());
    }

    private static void writeUserInfoItem(ByteBuf out, UserInfoItem item) {
        int at = beginItem(out, item.itemType());
        switch (item) {
            case UserInfoItem.MaxLength m -> out.writeInt((int) m.value());
            case UserInfoItem.ImplementationClassUid u -> writeAscii(out, u.uid());
            case UserInfoItem.AsyncOpsWindow w -> {
                out.writeShort(w.maxInvoked());
                out.writeShort(w.maxPerformed());
            }
            case UserInfoItem.RoleSelection r -> {
                writeShortString(out, r.sopClassUid());
                out.writeByte(r.scuRole() ? 1 : 0);
                out.writeByte(r.scpRole() ? 1 : 0);
            }
            case UserInfoItem.ImplementationVersionName v -> out.writeBytes(v.name().getBytes(StandardCharsets.ISO_8859_1));
            case UserInfoItem.SopClassExtendedNegotiation e -> {
                writeShortString(out, e.sopClassUid());
                e.applicationInformation().writeTo(out);
            }
            case UserInfoItem.SopClassCommonExtendedNegotiation c -> {
                writeShortString(out, c.sopClassUid());
                writeShortString(out, c.serviceClassUid());
                int relAt = out.writerIndex();
                out.writeShort(0);
                c.relatedGeneralSopClassUids().forEach(u -> writeShortString(out, u));
                setU16(out, relAt, out.writerIndex() - relAt - 2, () -> "related general SOP class list");
            }
            case UserInfoItem.UserIdentityRq u -> {
                out.writeByte(u.identityType());
                out.writeByte(u.positiveResponseRequested() ? 1 : 0);
                out.writeShort(u.primaryField().length());
                u.primaryField().writeTo(out);
                out.writeShort(u.secondaryField().length());
                u.secondaryField().writeTo(out);
            }
            case UserInfoItem.UserIdentityAc u -> {
                out.writeShort(u.serverResponse().length());
                u.serverResponse().writeTo(out);
            }
            case UserInfoItem.Unknown u -> u.value().writeTo(out);
        }
        endItem(out, at, () -> String.format("user information sub-item 0x%02x", item.itemType()));
    }

    private static void writeUidItem(ByteBuf out, int type, String uid) {
        int at = beginItem(out, type);
        writeAscii(out, uid);
        endItem(out, at, () -> "UID item");
    }

    private static void writeShortString(ByteBuf out, String s) {
        out.writeShort(s.length());
        writeAscii(out, s);
    }

    private static void writeAscii(ByteBuf out, String s) {
        out.writeCharSequence(s, StandardCharsets.US_ASCII);
    }

    private static int beginItem(ByteBuf out, int type) {
        out.writeByte(type);
        out.writeByte(0);
        int at = out.writerIndex();
        out.writeShort(0);
        return at;
    }

    /** {@code what} names the item in the error; built only then, as this runs for every item. */
    private static void endItem(ByteBuf out, int lengthAt, Supplier<String> what) {
        setU16(out, lengthAt, out.writerIndex() - lengthAt - 2, what);
    }

    private static void setU16(ByteBuf out, int at, int length, Supplier<String> what) {
        if (length > 0xffff) {
            throw new IllegalArgumentException(what.get() + " is " + length + " octets, more than a 16-bit item length allows");
        }
        out.setShort(at, length);
    }

    // ---------------------------------------------------------------------------------- decode

    public static Pdu decode(byte[] pdu) throws PduDecodeException {
        ByteBuf buf = Unpooled.wrappedBuffer(pdu);
        Pdu out = decode(buf);
        if (buf.isReadable()) {
            throw PduDecodeException.invalidValue(buf.readableBytes() + " octets follow the PDU");
        }
        return out;
    }

    /**
     * Reads one whole PDU from {@code in}'s reader index, advancing it past the PDU. Does not
     * release {@code in}.
     */
    public static Pdu decode(ByteBuf in) throws PduDecodeException {
        if (in.readableBytes() < HEADER_LENGTH) {
            throw PduDecodeException.invalidValue("a PDU header is 6 octets, only " + in.readableBytes() + " present");
        }
        int typeCode = in.getUnsignedByte(in.readerIndex());
        PduType type = PduType.fromCode(typeCode).orElseThrow(() -> new PduDecodeException(
                AbortReason.UNRECOGNIZED_PDU, String.format("PDU type 0x%02x is not defined", typeCode)));
        long length = in.getUnsignedInt(in.readerIndex() + 2);
        if (length > in.readableBytes() - HEADER_LENGTH) {
            throw PduDecodeException.invalidValue(type.standardName() + " announces " + length + " octets, "
                    + (in.readableBytes() - HEADER_LENGTH) + " present");
        }
        in.skipBytes(HEADER_LENGTH);
        ByteBuf body = in.readSlice((int) length);
        try {
            return switch (type) {
                case A_ASSOCIATE_RQ -> readAssociateRq(body);
                case A_ASSOCIATE_AC -> readAssociateAc(body);
                case A_ASSOCIATE_RJ -> {
                    fixedLength(type, body, 4);
                    body.skipBytes(1);
                    RejectResult result = RejectResult.fromCode(body.readUnsignedByte());
                    RejectSource source = RejectSource.fromCode(body.readUnsignedByte());
                    yield new AssociateRj(result, source, body.readUnsignedByte());
                }
                case P_DATA_TF -> readPData(body);
                case A_RELEASE_RQ -> {
                    fixedLength(type, body, 4);
                    yield ReleaseRq.INSTANCE;
                }
                case A_RELEASE_RP -> {
                    fixedLength(type, body, 4);
                    yield ReleaseRp.INSTANCE;
                }
                case A_ABORT -> {
                    fixedLength(type, body, 4);
                    body.skipBytes(2);
                    AbortSource source = AbortSource.fromCode(body.readUnsignedByte());
                    int reason = body.readUnsignedByte();
                    // The reason is significant only from the provider; a user's abort says nothing more.
                    yield new Abort(source, source == AbortSource.SERVICE_PROVIDER
                            ? AbortReason.fromCode(reason) : AbortReason.NOT_SPECIFIED);
                }
            };
        } catch (IllegalArgumentException e) {
            // A record refused a decoded value (an even context ID, a malformed UID ...).
            throw PduDecodeException.invalidValue(type.standardName() + ": " + e.getMessage());
        }
    }

    private static void fixedLength(PduType type, ByteBuf body, int expected) throws PduDecodeException {
        if (body.readableBytes() != expected) {
            throw PduDecodeException.invalidValue(type.standardName() + " length is " + body.readableBytes()
                    + ", the standard fixes it at " + expected);
        }
    }

    private static PDataTf readPData(ByteBuf body) throws PduDecodeException {
        List<Pdv> pdvs = new ArrayList<>();
        while (body.isReadable()) {
            need(body, 4, "PDV item length");
            long itemLength = body.readUnsignedInt();
            if (itemLength < 2) {
                throw PduDecodeException.invalidValue("PDV item length " + itemLength + " leaves no room for its header");
            }
            need(body, itemLength, "PDV item");
            int contextId = body.readUnsignedByte();
            int control = body.readUnsignedByte();
            byte[] data = new byte[(int) itemLength - 2];
            body.readBytes(data);
            pdvs.add(new Pdv(contextId, (control & 1) != 0, (control & 2) != 0, new Bytes(data)));
        }
        if (pdvs.isEmpty()) {
            throw PduDecodeException.invalidValue("P-DATA-TF carries no PDV item");
        }
        return new PDataTf(pdvs);
    }

    /** The parts A-ASSOCIATE-RQ and -AC share. */
    private record AssociateHeader(int version, WireAeTitle called, WireAeTitle calling) {
    }

    private static AssociateHeader readAssociateHeader(PduType type, ByteBuf body) throws PduDecodeException {
        if (body.readableBytes() < ASSOCIATE_FIXED_LENGTH) {
            throw PduDecodeException.invalidValue(type.standardName() + " is " + body.readableBytes()
                    + " octets, shorter than its fixed fields");
        }
        int version = body.readUnsignedShort();
        body.skipBytes(2);
        byte[] called = new byte[AeTitle.WIRE_LENGTH];
        byte[] calling = new byte[AeTitle.WIRE_LENGTH];
        body.readBytes(called);
        body.readBytes(calling);
        body.skipBytes(32);
        return new AssociateHeader(version, WireAeTitle.fromWire(called), WireAeTitle.fromWire(calling));
    }

    /** What the variable items of an A-ASSOCIATE-RQ or -AC held. */
    private static final class AssociateItems<C> {
        String applicationContext;
        final List<C> contexts = new ArrayList<>();
        UserInformation userInformation;
    }

    private static AssociateRq readAssociateRq(ByteBuf body) throws PduDecodeException {
        AssociateHeader h = readAssociateHeader(PduType.A_ASSOCIATE_RQ, body);
        AssociateItems<PresentationContextRq> items = new AssociateItems<>();
        readAssociateItems(body, PduType.A_ASSOCIATE_RQ, ITEM_PRESENTATION_CONTEXT_RQ, items,
                PduCodec::readContextRq);
        return new AssociateRq(h.version(), h.called(), h.calling(), items.applicationContext, items.contexts,
                items.userInformation);
    }

    private static AssociateAc readAssociateAc(ByteBuf body) throws PduDecodeException {
        AssociateHeader h = readAssociateHeader(PduType.A_ASSOCIATE_AC, body);
        AssociateItems<PresentationContextAc> items = new AssociateItems<>();
        readAssociateItems(body, PduType.A_ASSOCIATE_AC, ITEM_PRESENTATION_CONTEXT_AC, items,
                PduCodec::readContextAc);
        return new AssociateAc(h.version(), h.called(), h.calling(), items.applicationContext, items.contexts,
                items.userInformation);
    }

    @FunctionalInterface
    private interface ItemReader<T> {
        T read(ByteBuf value) throws PduDecodeException;
    }

    private static <C> void readAssociateItems(ByteBuf body, PduType type, int contextItemType,
            AssociateItems<C> items, ItemReader<C> contextReader) throws PduDecodeException {
        while (body.isReadable()) {
            int itemType = body.readUnsignedByte();
            ByteBuf value = readItemValue(body, itemType);
            if (itemType == ITEM_APPLICATION_CONTEXT) {
                if (items.applicationContext != null) {
                    throw unexpected(type, "a second application context item");
                }
                items.applicationContext = readUid(value);
            } else if (itemType == contextItemType) {
                items.contexts.add(contextReader.read(value));
            } else if (itemType == ITEM_USER_INFORMATION) {
                if (items.userInformation != null) {
                    throw unexpected(type, "a second user information item");
                }
                items.userInformation = readUserInformation(value);
            } else if (isDefinedItemType(itemType)) {
                throw unexpected(type, String.format("item type 0x%02x", itemType));
            } else {
                throw new PduDecodeException(AbortReason.UNRECOGNIZED_PDU_PARAMETER,
                        type.standardName() + String.format(" holds item type 0x%02x, which is not defined", itemType));
            }
        }
        if (items.applicationContext == null) {
            throw PduDecodeException.invalidValue(type.standardName() + " has no application context item");
        }
        if (items.contexts.isEmpty()) {
            throw PduDecodeException.invalidValue(type.standardName() + " has no presentation context item");
        }
        if (items.userInformation == null) {
            throw PduDecodeException.invalidValue(type.standardName() + " has no user information item");
        }
    }

    private static boolean isDefinedItemType(int t) {
        return t == ITEM_APPLICATION_CONTEXT || t == ITEM_PRESENTATION_CONTEXT_RQ
                || t == ITEM_PRESENTATION_CONTEXT_AC || t == ITEM_ABSTRACT_SYNTAX || t == ITEM_TRANSFER_SYNTAX
                || (t >= ITEM_USER_INFORMATION && t <= 0x59);
    }

    private static PduDecodeException unexpected(PduType type, String what) {
        return new PduDecodeException(AbortReason.UNEXPECTED_PDU_PARAMETER,
                type.standardName() + " holds " + what + ", which does not belong there");
    }

    /** After the item type: skips the reserved octet, reads the 16-bit length, returns the value. */
    private static ByteBuf readItemValue(ByteBuf in, int itemType) throws PduDecodeException {
        // This runs for every item of every association: the messages are built only on failure.
        if (in.readableBytes() < 3) {
            need(in, 3, String.format("header of item 0x%02x", itemType));
        }
        in.skipBytes(1);
        int length = in.readUnsignedShort();
        if (in.readableBytes() < length) {
            need(in, length, String.format("item 0x%02x", itemType));
        }
        return in.readSlice(length);
    }

    private static PresentationContextRq readContextRq(ByteBuf v) throws PduDecodeException {
        need(v, 4, "presentation context fields");
        int id = v.readUnsignedByte();
        v.skipBytes(3);
        String abstractSyntax = null;
        List<String> transferSyntaxes = new ArrayList<>();
        while (v.isReadable()) {
            int t = v.readUnsignedByte();
            ByteBuf value = readItemValue(v, t);
            if (t == ITEM_ABSTRACT_SYNTAX && abstractSyntax == null) {
                abstractSyntax = readUid(value);
            } else if (t == ITEM_TRANSFER_SYNTAX) {
                transferSyntaxes.add(readUid(value));
            } else {
                throw contextSubItem(id, t);
            }
        }
        if (abstractSyntax == null) {
            throw PduDecodeException.invalidValue("presentation context " + id + " has no abstract syntax");
        }
        return new PresentationContextRq(id, abstractSyntax, transferSyntaxes);
    }

    private static PresentationContextAc readContextAc(ByteBuf v) throws PduDecodeException {
        need(v, 4, "presentation context fields");
        int id = v.readUnsignedByte();
        v.skipBytes(1);
        PresentationContextResult result = PresentationContextResult.fromCode(v.readUnsignedByte());
        v.skipBytes(1);
        String transferSyntax = null;
        while (v.isReadable()) {
            int t = v.readUnsignedByte();
            ByteBuf value = readItemValue(v, t);
            if (t == ITEM_TRANSFER_SYNTAX && transferSyntax == null) {
                transferSyntax = readUid(value);
            } else {
                throw contextSubItem(id, t);
            }
        }
        if (transferSyntax == null && result == PresentationContextResult.ACCEPTANCE) {
            throw PduDecodeException.invalidValue("accepted presentation context " + id + " names no transfer syntax");
        }
        return new PresentationContextAc(id, result, transferSyntax == null ? "" : transferSyntax);
    }

    private static PduDecodeException contextSubItem(int id, int t) {
        AbortReason reason = isDefinedItemType(t) ? AbortReason.UNEXPECTED_PDU_PARAMETER
                : AbortReason.UNRECOGNIZED_PDU_PARAMETER;
        return new PduDecodeException(reason,
                String.format("presentation context %d holds sub-item 0x%02x where it does not belong", id, t));
    }

    private static UserInformation readUserInformation(ByteBuf v) throws PduDecodeException {
        List<UserInfoItem> items = new ArrayList<>();
        while (v.isReadable()) {
            int t = v.readUnsignedByte();
            ByteBuf value = readItemValue(v, t);
            items.add(readUserInfoItem(t, value));
            if (value.isReadable()) {
                throw PduDecodeException.invalidValue(String.format(
                        "user information sub-item 0x%02x has %d octets beyond its fields", t, value.readableBytes()));
            }
        }
        return new UserInformation(items);
    }

    private static UserInfoItem readUserInfoItem(int type, ByteBuf v) throws PduDecodeException {
        return switch (type) {
            case UserInfoItem.MaxLength.TYPE -> {
                need(v, 4, "max length");
                yield new UserInfoItem.MaxLength(v.readUnsignedInt());
            }
            case UserInfoItem.ImplementationClassUid.TYPE -> new UserInfoItem.ImplementationClassUid(readUid(v));
            case UserInfoItem.AsyncOpsWindow.TYPE -> {
                need(v, 4, "asynchronous operations window");
                yield new UserInfoItem.AsyncOpsWindow(v.readUnsignedShort(), v.readUnsignedShort());
            }
            case UserInfoItem.RoleSelection.TYPE -> {
                String uid = readUid(readShortField(v, "role selection SOP class UID"));
                need(v, 2, "role selection roles");
                yield new UserInfoItem.RoleSelection(uid, v.readUnsignedByte() != 0, v.readUnsignedByte() != 0);
            }
            case UserInfoItem.ImplementationVersionName.TYPE ->
                    new UserInfoItem.ImplementationVersionName(v.readCharSequence(v.readableBytes(),
                            StandardCharsets.ISO_8859_1).toString());
            case UserInfoItem.SopClassExtendedNegotiation.TYPE -> {
                String uid = readUid(readShortField(v, "extended negotiation SOP class UID"));
                yield new UserInfoItem.SopClassExtendedNegotiation(uid, readBytes(v, v.readableBytes()));
            }
            case UserInfoItem.SopClassCommonExtendedNegotiation.TYPE -> {
                String sop = readUid(readShortField(v, "common extended negotiation SOP class UID"));
                String service = readUid(readShortField(v, "common extended negotiation service class UID"));
                ByteBuf related = readShortField(v, "related general SOP class list");
                List<String> uids = new ArrayList<>();
                while (related.isReadable()) {
                    uids.add(readUid(readShortField(related, "related general SOP class UID")));
                }
                yield new UserInfoItem.SopClassCommonExtendedNegotiation(sop, service, uids);
            }
            case UserInfoItem.UserIdentityRq.TYPE -> {
                need(v, 2, "user identity type");
                int identityType = v.readUnsignedByte();
                boolean positive = v.readUnsignedByte() != 0;
                ByteBuf primary = readShortField(v, "user identity primary field");
                ByteBuf secondary = readShortField(v, "user identity secondary field");
                yield new UserInfoItem.UserIdentityRq(identityType, positive,
                        readBytes(primary, primary.readableBytes()), readBytes(secondary, secondary.readableBytes()));
            }
            case UserInfoItem.UserIdentityAc.TYPE -> {
                ByteBuf response = readShortField(v, "user identity server response");
                yield new UserInfoItem.UserIdentityAc(readBytes(response, response.readableBytes()));
            }
            default -> new UserInfoItem.Unknown(type, readBytes(v, v.readableBytes()));
        };
    }

    private static ByteBuf readShortField(ByteBuf in, String what) throws PduDecodeException {
        need(in, 2, what + " length");
        int length = in.readUnsignedShort();
        need(in, length, what);
        return in.readSlice(length);
    }

    private static Bytes readBytes(ByteBuf in, int n) {
        byte[] b = new byte[n];
        in.readBytes(b);
        return new Bytes(b);
    }

    /** The rest of {@code v} as a UID; a trailing NUL (even-length padding some peers add) is dropped. */
    private static String readUid(ByteBuf v) {
        int end = v.writerIndex();
        while (end > v.readerIndex() && v.getByte(end - 1) == 0) {
            end--;
        }
        String uid = v.toString(v.readerIndex(), end - v.readerIndex(), StandardCharsets.ISO_8859_1);
        v.skipBytes(v.readableBytes());
        return uid;
    }

    private static void need(ByteBuf in, long n, String what) throws PduDecodeException {
        if (in.readableBytes() < n) {
            throw PduDecodeException.invalidValue(what + " needs " + n + " octets, " + in.readableBytes()
                    + " remain in its enclosing item");
        }
    }
}
