package org.dicomlb.dicom.pdu;

import java.util.List;
import java.util.Objects;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.WireAeTitle;

/**
 * A-ASSOCIATE-RQ (PS3.8 §9.3.2). The AE titles are the wire fields, possibly invalid: a proxy
 * must be able to decode, log and reject a request whatever the peer put there.
 *
 * @param protocolVersion the 16-bit field; only bit 0 (version 1) is significant on receipt
 */
public record AssociateRq(
        int protocolVersion,
        WireAeTitle calledAe,
        WireAeTitle callingAe,
        String applicationContext,
        List<PresentationContextRq> presentationContexts,
        UserInformation userInformation) implements Pdu {

    public static final int PROTOCOL_VERSION_1 = 0x0001;

    public AssociateRq {
        checkHeader(protocolVersion, calledAe, callingAe, applicationContext);
        presentationContexts = List.copyOf(presentationContexts);
        if (presentationContexts.isEmpty()) {
            throw new IllegalArgumentException("an A-ASSOCIATE-RQ proposes at least one presentation context");
        }
        PresentationContextRq.checkDistinctIds(presentationContexts.stream().map(PresentationContextRq::id).toList(),
                "an A-ASSOCIATE-RQ");
        Objects.requireNonNull(userInformation, "userInformation");
    }

    /** A version-1 request in the DICOM application context. */
    public static AssociateRq of(AeTitle calledAe, AeTitle callingAe, List<PresentationContextRq> contexts,
            UserInformation userInformation) {
        return new AssociateRq(PROTOCOL_VERSION_1, WireAeTitle.of(calledAe), WireAeTitle.of(callingAe),
                Uids.APPLICATION_CONTEXT, contexts, userInformation);
    }

    @Override
    public PduType type() {
        return PduType.A_ASSOCIATE_RQ;
    }

    /** Whether bit 0 of the protocol version is set, the only bit PS3.8 lets a receiver test. */
    public boolean supportsVersion1() {
        return (protocolVersion & 1) != 0;
    }

    public AssociateRq withUserInformation(UserInformation info) {
        return new AssociateRq(protocolVersion, calledAe, callingAe, applicationContext, presentationContexts, info);
    }

    static void checkHeader(int protocolVersion, WireAeTitle calledAe, WireAeTitle callingAe, String appContext) {
        if (protocolVersion < 0 || protocolVersion > 0xffff) {
            throw new IllegalArgumentException("protocol version " + protocolVersion + " does not fit 16 bits");
        }
        Objects.requireNonNull(calledAe, "calledAe");
        Objects.requireNonNull(callingAe, "callingAe");
        Uids.require(appContext, "application context name");
    }
}
