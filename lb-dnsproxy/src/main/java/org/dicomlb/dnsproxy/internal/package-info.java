/**
 * How names are resolved: one {@code Watch} per backend on the control loop, {@code DnsQuery}
 * for one question to one resolver (Netty UDP, TCP after truncation), {@code Answers} to build
 * questions and read responses with dnsjava, {@code DnsMeters}. Not part of the module's API.
 */
package org.dicomlb.dnsproxy.internal;
