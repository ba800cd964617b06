package org.dicomlb.engine.config;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.dicomlb.config.Cidr;
import org.dicomlb.dicom.Uids;

/**
 * One entry of a dicom listener's {@code routes}: when every condition given holds for an
 * A-ASSOCIATE-RQ, the association goes to {@code pool}. An absent condition matches anything.
 *
 * @param label      how the access log names the route: its {@code name}, else its 1-based position
 * @param calledAe   the called AE as the client sent it
 * @param callingAe  the calling AE
 * @param sources    client address prefixes; empty means any client
 * @param sopClasses abstract syntaxes; the route matches when the request proposes any of them
 */
public record DicomRoute(String label, Optional<AePattern> calledAe, Optional<AePattern> callingAe, List<Cidr> sources,
                         Set<String> sopClasses, String pool) {
    public DicomRoute {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(calledAe, "calledAe");
        Objects.requireNonNull(callingAe, "callingAe");
        sources = List.copyOf(sources);
        sopClasses = Set.copyOf(sopClasses);
        sopClasses.forEach(uid -> Uids.require(uid, "sop-class"));
        Names.check("pool", pool);
    }

    /**
     * @param calledAe         the called AE title without padding
     * @param callingAe        the calling AE title without padding
     * @param abstractSyntaxes the abstract syntaxes of the proposed presentation contexts
     */
    public boolean matches(String calledAe, String callingAe, InetAddress client, Collection<String> abstractSyntaxes) {
        return this.calledAe.map(p -> p.matches(calledAe)).orElse(true)
                && this.callingAe.map(p -> p.matches(callingAe)).orElse(true)
                && (sources.isEmpty() || sources.stream().anyMatch(c -> c.contains(client)))
                && (sopClasses.isEmpty() || abstractSyntaxes.stream().anyMatch(sopClasses::contains));
    }
}
