/**
 * The {@code dns} backend kind: {@link org.dicomlb.dnsproxy.DnsBackends} re-resolves each
 * backend's hostname on a schedule and publishes a {@link org.dicomlb.dnsproxy.Resolution} per
 * change for the engine's pools; {@link org.dicomlb.dnsproxy.DnsStatus} is its view for the admin
 * API. The configuration is in {@code org.dicomlb.dnsproxy.config}.
 */
package org.dicomlb.dnsproxy;
