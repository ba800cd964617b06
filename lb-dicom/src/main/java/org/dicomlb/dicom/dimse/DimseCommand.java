package org.dicomlb.dicom.dimse;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.dicomlb.dicom.Uids;

/**
 * A DIMSE command set (PS3.7 §9.3, §E.1): the group 0000 elements the C-ECHO and C-STORE
 * request and response use. Elements absent from a message are empty. {@link DimseCodec}
 * turns it into implicit VR little endian bytes and back.
 *
 * @param hasDataSet Command Data Set Type (0000,0800): 0x0101 on the wire means no data set
 */
public record DimseCommand(
        CommandField commandField,
        OptionalInt messageId,
        OptionalInt messageIdBeingRespondedTo,
        Optional<String> affectedSopClassUid,
        Optional<String> affectedSopInstanceUid,
        OptionalInt priority,
        boolean hasDataSet,
        OptionalInt status) {

    public DimseCommand {
        Objects.requireNonNull(commandField, "commandField");
        checkU16(messageId, "message ID");
        checkU16(messageIdBeingRespondedTo, "message ID being responded to");
        checkU16(priority, "priority");
        checkU16(status, "status");
        affectedSopClassUid.ifPresent(u -> Uids.require(u, "affected SOP class UID"));
        affectedSopInstanceUid.ifPresent(u -> Uids.require(u, "affected SOP instance UID"));
    }

    public static DimseCommand echoRq(int messageId) {
        return new DimseCommand(CommandField.C_ECHO_RQ, OptionalInt.of(messageId), OptionalInt.empty(),
                Optional.of(Uids.VERIFICATION), Optional.empty(), OptionalInt.empty(), false, OptionalInt.empty());
    }

    public static DimseCommand echoRsp(int respondingTo, int status) {
        return new DimseCommand(CommandField.C_ECHO_RSP, OptionalInt.empty(), OptionalInt.of(respondingTo),
                Optional.of(Uids.VERIFICATION), Optional.empty(), OptionalInt.empty(), false, OptionalInt.of(status));
    }

    public static DimseCommand storeRq(int messageId, String sopClassUid, String sopInstanceUid, int priority) {
        return new DimseCommand(CommandField.C_STORE_RQ, OptionalInt.of(messageId), OptionalInt.empty(),
                Optional.of(sopClassUid), Optional.of(sopInstanceUid), OptionalInt.of(priority), true,
                OptionalInt.empty());
    }

    public static DimseCommand storeRsp(int respondingTo, String sopClassUid, String sopInstanceUid, int status) {
        return new DimseCommand(CommandField.C_STORE_RSP, OptionalInt.empty(), OptionalInt.of(respondingTo),
                Optional.of(sopClassUid), Optional.of(sopInstanceUid), OptionalInt.empty(), false,
                OptionalInt.of(status));
    }

    private static void checkU16(OptionalInt v, String what) {
        Objects.requireNonNull(v, what);
        if (v.isPresent() && (v.getAsInt() < 0 || v.getAsInt() > 0xffff)) {
            throw new IllegalArgumentException(what + " " + v.getAsInt() + " does not fit 16 bits");
        }
    }
}
