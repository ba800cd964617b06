package org.dicomlb.engine.config;

import java.util.List;

/**
 * {@code mode: dicom}: read the A-ASSOCIATE-RQ, route it, forward it to a backend, relay the
 * backend's answer, then copy bytes both ways.
 *
 * @param routes            tried in order before the listener's default pool; the first match wins
 * @param allowedCallingAes when not empty, calling AEs matching none of these are rejected
 * @param maxAssociateRq    the largest A-ASSOCIATE-RQ accepted, in octets including its 6-octet
 *                          header; it also bounds the backend's answer
 * @param observePdus       keep following PDU headers after the association is accepted, to log
 *                          how it ended and count P-DATA-TF PDUs
 * @param certificateBindings when not empty (TLS listeners with client certificates), the calling
 *                          AE must be one a rule naming the client's certificate allows
 */
public record DicomMode(List<DicomRoute> routes, List<AePattern> allowedCallingAes, int maxAssociateRq,
                        boolean observePdus, List<CertificateBinding> certificateBindings) implements ListenerMode {
    public static final int DEFAULT_MAX_ASSOCIATE_RQ = 64 * 1024;
    /** An RQ's fixed part alone is 74 octets; a real one with a few contexts is a few hundred. */
    public static final int MIN_MAX_ASSOCIATE_RQ = 1024;
    public static final int MAX_MAX_ASSOCIATE_RQ = 16 * 1024 * 1024;
    public static final boolean DEFAULT_OBSERVE_PDUS = true;
    public static final DicomMode DEFAULTS =
            new DicomMode(List.of(), List.of(), DEFAULT_MAX_ASSOCIATE_RQ, DEFAULT_OBSERVE_PDUS);

    /** Without certificate bindings. */
    public DicomMode(List<DicomRoute> routes, List<AePattern> allowedCallingAes, int maxAssociateRq, boolean observePdus) {
        this(routes, allowedCallingAes, maxAssociateRq, observePdus, List.of());
    }

    public DicomMode {
        routes = List.copyOf(routes);
        certificateBindings = List.copyOf(certificateBindings);
        allowedCallingAes = List.copyOf(allowedCallingAes);
        if (maxAssociateRq < MIN_MAX_ASSOCIATE_RQ || maxAssociateRq > MAX_MAX_ASSOCIATE_RQ) {
            throw new IllegalArgumentException("max-associate-rq must be between " + MIN_MAX_ASSOCIATE_RQ + " and "
                    + MAX_MAX_ASSOCIATE_RQ);
        }
    }

    @Override
    public String label() {
        return "dicom";
    }
}
