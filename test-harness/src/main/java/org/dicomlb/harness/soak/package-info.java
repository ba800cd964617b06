/**
 * The soak with faults ({@code scripts/soak}, docs/soak.md): dicomlb as a process of its own in
 * front of two DCMTK storescp archives and two in-process echo backends, with storescu streams,
 * C-ECHO storms, idle-connection floods and half-close clients all at once, while storescp is
 * killed and restarted, reloads (valid and invalid) run and backends are drained, all through
 * dicomlb's admin API as documented. Then the checks: every instance storescu saw stored is at a
 * backend, nothing hung, dicomlb's RSS and descriptors show no upward trend, its log has no
 * unexpected line.
 *
 * <p>Owns: the orchestration ({@code Soak}, {@code SoakCommand}), the load ({@code StoreStream},
 * {@code EchoStorm}, {@code IdleFlood}, {@code HalfCloseClients}), the faults ({@code Faults}),
 * the judges ({@code Delivery}, {@code ResourceTrend}, {@code LogFindings}) and the report.
 * Reuses the benchmark's process control ({@code bench.process}) and C-ECHO load
 * ({@code bench.load.EchoLoad}). Must not touch engine code: it only starts a built dicomlb and
 * talks to it over sockets. Sends traffic to loopback addresses only.
 */
package org.dicomlb.harness.soak;
