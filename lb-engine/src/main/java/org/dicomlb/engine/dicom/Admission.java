package org.dicomlb.engine.dicom;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.engine.config.CertificateBinding;
import org.dicomlb.engine.config.DicomMode;
import org.dicomlb.engine.config.DicomRoute;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.tls.PeerIdentity;

/**
 * What a dicom listener does with an A-ASSOCIATE-RQ before any backend is involved: refuse it
 * (calling AE not bound to the client's certificate, calling AE not allowed, nothing routes it) or
 * send it to a pool. A pure function of the listener's configuration, the request, the client
 * address and the client's verified TLS certificate.
 */
sealed interface Admission {
    /** The label the access log gives the listener's own pool when no route matched. */
    String DEFAULT_ROUTE = "default";

    /** Forward to a backend of {@code pool}; {@code label} names the route that chose it. */
    record Route(String pool, String label) implements Admission {
    }

    /**
     * Answer the client with {@code reject} and close.
     *
     * @param why for the operational log, when the refusal is a security event worth a line
     *            (a certificate that may not use the calling AE); empty otherwise
     */
    record Refuse(AssociateRj reject, Optional<String> why) implements Admission {
        Refuse(AssociateRj reject) {
            this(reject, Optional.empty());
        }
    }

    /** Without a client certificate (plain listeners). */
    static Admission decide(ListenerConfig listener, AssociateRq rq, InetAddress client) {
        return decide(listener, rq, client, Optional.empty());
    }

    /**
     * @param listener a {@code mode: dicom} listener
     * @param peer     the client's verified TLS certificate, when it presented one
     */
    static Admission decide(ListenerConfig listener, AssociateRq rq, InetAddress client, Optional<PeerIdentity> peer) {
        return decide((DicomMode) listener.mode(), listener.pool(), rq, client, peer);
    }

    /** @param defaultPool the listener's pool, or null when it has none */
    static Admission decide(DicomMode dicom, String defaultPool, AssociateRq rq, InetAddress client, Optional<PeerIdentity> peer) {
        String calling = rq.callingAe().text();
        if (!dicom.certificateBindings().isEmpty() && !bound(dicom.certificateBindings(), peer, calling)) {
            // PS3.8: the service user does not recognise this calling AE for this peer; permanent.
            return new Refuse(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED),
                    Optional.of(peer.map(p -> "client certificate " + p.describe() + " may not call as '" + calling
                            + "' (no certificate-bindings rule allows it)")
                            .orElse("a client without a certificate called as '" + calling
                                    + "'; certificate-bindings need one")));
        }
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
        if (defaultPool != null) {
            return new Route(defaultPool, DEFAULT_ROUTE);
        }
        return new Refuse(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));
    }

    /** Whether a rule naming {@code peer}'s certificate lets it call as {@code calling}. */
    private static boolean bound(List<CertificateBinding> bindings, Optional<PeerIdentity> peer, String calling) {
        return peer.isPresent() && bindings.stream().anyMatch(b -> b.allows(peer.get(), calling));
    }
}
