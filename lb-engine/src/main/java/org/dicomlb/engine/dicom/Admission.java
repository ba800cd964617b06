package org.dicomlb.engine.dicom;

import java.net.InetAddress;
import java.util.List;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.engine.config.DicomMode;
import org.dicomlb.engine.config.DicomRoute;
import org.dicomlb.engine.config.ListenerConfig;

/**
 * What a dicom listener does with an A-ASSOCIATE-RQ before any backend is involved: refuse it
 * (calling AE not allowed, nothing routes it) or send it to a pool. A pure function of the
 * listener's configuration, the request and the client address.
 */
sealed interface Admission {
    /** The label the access log gives the listener's own pool when no route matched. */
    String DEFAULT_ROUTE = "default";

    /** Forward to a backend of {@code pool}; {@code label} names the route that chose it. */
    record Route(String pool, String label) implements Admission {
    }

    /** Answer the client with {@code reject} and close. */
    record Refuse(AssociateRj reject) implements Admission {
    }

    /** @param listener a {@code mode: dicom} listener */
    static Admission decide(ListenerConfig listener, AssociateRq rq, InetAddress client) {
        DicomMode dicom = (DicomMode) listener.mode();
        String calling = rq.callingAe().text();
        if (!dicom.allowedCallingAes().isEmpty() && dicom.allowedCallingAes().stream().noneMatch(p -> p.matches(calling))) {
            return new Refuse(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED));
        }
        String called = rq.calledAe().text();
        List<String> syntaxes = rq.presentationContexts().stream().map(PresentationContextRq::abstractSyntax).toList();
        for (DicomRoute r : dicom.routes()) {
            if (r.matches(called, calling, client, syntaxes)) {
                return new Route(r.pool(), r.label());
            }
        }
        if (listener.pool() != null) {
            return new Route(listener.pool(), DEFAULT_ROUTE);
        }
        return new Refuse(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));
    }
}
