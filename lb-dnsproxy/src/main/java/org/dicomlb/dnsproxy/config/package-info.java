/**
 * The {@code dns} backend kind's configuration: {@link org.dicomlb.dnsproxy.config.DnsBackendConfig}
 * and {@link org.dicomlb.dnsproxy.config.DnsBackendReader}, which the engine's backend reader calls
 * with the backend's section for the keys of this kind.
 */
package org.dicomlb.dnsproxy.config;
