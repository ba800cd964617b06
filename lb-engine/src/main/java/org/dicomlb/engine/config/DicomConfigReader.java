package org.dicomlb.engine.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.config.Cidr;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Location;
import org.dicomlb.config.Section;
import org.dicomlb.dicom.Uids;
import org.dicomlb.tls.ServerTls;

/** Reads the keys only {@code mode: dicom} listeners have; part of {@link EngineConfigReader}. */
final class DicomConfigReader {
    private static final List<String> DICOM_KEYS = List.of("routes", "allowed-calling-aes", "max-associate-rq",
            "observe-pdus", "certificate-bindings");
    private static final List<String> ROUTE_CONDITIONS = List.of("called-ae", "calling-ae", "source", "sop-class");

    private DicomConfigReader() {
    }

    /** Errors for dicom-only keys on a listener of another mode. */
    static void rejectDicomKeys(Section s, String listener, String mode) {
        for (String key : DICOM_KEYS) {
            if (s.has(key)) {
                s.error(key, "'" + key + "' applies to mode: dicom listeners only (listener '" + listener
                        + "' is mode: " + mode + ")");
            }
        }
    }

    /** The dicom settings of listener {@code s}. */
    static DicomMode read(Section s, String listener, Map<String, Location> pools, Optional<ServerTls> tls) {
        List<DicomRoute> routes = RouteList.read(s, listener, ROUTE_CONDITIONS, "has no conditions and matches every association",
                "association", (item, number) -> route(item, number, pools));
        List<AePattern> allowed = s.parsedList("allowed-calling-aes", AePattern::parse);
        if (s.node("allowed-calling-aes").filter(DicomConfigReader::emptyList).isPresent()) {
            s.error("allowed-calling-aes", "'allowed-calling-aes' is empty, which would reject every association;"
                    + " leave it out to allow every calling AE");
        }
        int maxRq = s.integer("max-associate-rq", DicomMode.DEFAULT_MAX_ASSOCIATE_RQ,
                DicomMode.MIN_MAX_ASSOCIATE_RQ, DicomMode.MAX_MAX_ASSOCIATE_RQ);
        boolean observe = s.bool("observe-pdus", DicomMode.DEFAULT_OBSERVE_PDUS);
        List<CertificateBinding> bindings = new ArrayList<>();
        for (Section b : s.sections("certificate-bindings", "listener '" + listener + "' certificate binding")) {
            CertificateBinding cb = binding(b);
            if (cb != null) {
                bindings.add(cb);
            }
        }
        if (s.has("certificate-bindings")) {
            if (s.node("certificate-bindings").filter(DicomConfigReader::emptyList).isPresent()) {
                s.error("certificate-bindings", "'certificate-bindings' is empty, which would reject every association;"
                        + " leave it out to accept any calling AE from a trusted certificate");
            } else if (!s.has("tls")) {
                s.error("certificate-bindings", "certificate-bindings check the client's TLS certificate; the listener"
                        + " needs 'tls' with 'client-ca'");
            } else if (tls.isPresent() && !tls.get().asksForClientCertificates()) {
                s.error("certificate-bindings", "certificate-bindings need client certificates: set 'client-ca'"
                        + " (and client-auth required or optional) under 'tls'");
            }
        }
        return new DicomMode(routes, allowed, maxRq, observe, bindings);
    }

    /** One rule: exactly one of cn, dns, email, uri, and the calling AEs it allows. */
    private static CertificateBinding binding(Section b) {
        List<CertificateBinding.Field> given = new ArrayList<>();
        String pattern = null;
        for (CertificateBinding.Field f : CertificateBinding.Field.values()) {
            Optional<String> v = b.optionalString(f.key());
            if (v.isPresent()) {
                given.add(f);
                pattern = v.get();
            }
        }
        List<AePattern> aes = b.parsedList("calling-ae", AePattern::parse);
        if (!b.has("calling-ae")) {
            b.error(b.what() + " needs 'calling-ae' (the AE titles this certificate may call as)");
        }
        if (given.size() != 1) {
            b.error(b.what() + " needs exactly one of cn, dns, email, uri (the certificate name it matches)"
                    + (given.isEmpty() ? "" : "; it has " + given.stream().map(CertificateBinding.Field::key).toList()));
        }
        CertificateBinding.Field field = given.isEmpty() ? null : given.getFirst();
        String p = pattern;
        return b.build(() -> new CertificateBinding(field, p, aes));
    }

    private static DicomRoute route(Section r, int position, Map<String, Location> pools) {
        Optional<String> name = r.optionalString("name");
        name.filter(n -> !Names.valid(n)).ifPresent(n -> r.error("name", "route name '" + n
                + "' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit"));
        Optional<AePattern> called = r.parsed("called-ae", AePattern::parse);
        Optional<AePattern> calling = r.parsed("calling-ae", AePattern::parse);
        List<Cidr> sources = r.parsedList("source", Cidr::parse);
        List<String> sopClasses = r.parsedList("sop-class", uid -> Uids.require(uid.strip(), "sop-class"));
        String pool = r.requiredString("pool");
        EngineConfigReader.checkPool(r, "pool", "route " + position, pool, pools);
        String label = name.orElse(Integer.toString(position));
        return r.build(() -> new DicomRoute(label, called, calling, sources, new HashSet<>(sopClasses), pool));
    }

    private static boolean emptyList(ConfigNode n) {
        return n instanceof ConfigNode.Sequence q && q.items().isEmpty();
    }
}
