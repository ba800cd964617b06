package org.dicomlb.dicom.pdu;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.dicomlb.dicom.WireAeTitle;

/**
 * A-ASSOCIATE-AC (PS3.8 §9.3.3). The AE title fields are a copy of the request's: PS3.8 says
 * a receiver must not test them, but some requestors do, so an acceptor echoes them unchanged
 * (never swapped). A proxy that rewrote the called AE restores it in the AC's bytes: the
 * fields sit at a fixed offset, so dicomlb patches them without re-encoding.
 */
public record AssociateAc(
        int protocolVersion,
        WireAeTitle calledAe,
        WireAeTitle callingAe,
        String applicationContext,
        List<PresentationContextAc> presentationContexts,
        UserInformation userInformation) implements Pdu {

    public AssociateAc {
        AssociateRq.checkHeader(protocolVersion, calledAe, callingAe, applicationContext);
        presentationContexts = List.copyOf(presentationContexts);
        if (presentationContexts.isEmpty()) {
            throw new IllegalArgumentException("an A-ASSOCIATE-AC answers at least one presentation context");
        }
        PresentationContextRq.checkDistinctIds(presentationContexts.stream().map(PresentationContextAc::id).toList(),
                "an A-ASSOCIATE-AC");
        Objects.requireNonNull(userInformation, "userInformation");
    }

    /** An acceptance of {@code rq}: version 1, the request's application context and AE fields. */
    public static AssociateAc answering(AssociateRq rq, List<PresentationContextAc> contexts, UserInformation info) {
        return new AssociateAc(AssociateRq.PROTOCOL_VERSION_1, rq.calledAe(), rq.callingAe(),
                rq.applicationContext(), contexts, info);
    }

    @Override
    public PduType type() {
        return PduType.A_ASSOCIATE_AC;
    }

    public Optional<PresentationContextAc> presentationContext(int id) {
        return presentationContexts.stream().filter(pc -> pc.id() == id).findFirst();
    }
}
