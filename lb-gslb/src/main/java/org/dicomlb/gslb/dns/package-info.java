/**
 * DNS on the wire: the UDP and TCP sockets, the authoritative responder (dnsjava's {@code Message}
 * as the codec, never recursion), the answer cache, response-rate limiting and the query meters.
 * Reads one immutable {@link org.dicomlb.gslb.dns.ZoneView} per query; knows nothing of health.
 */
package org.dicomlb.gslb.dns;
