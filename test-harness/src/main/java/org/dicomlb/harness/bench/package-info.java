/**
 * The benchmark harness ({@code scripts/bench}): dicomlb measured side by side with direct
 * connections and HAProxy on loopback, scenario by scenario, variants alternating.
 *
 * <p>Owns: the orchestration ({@code BenchCommand}, {@code Runner}), the scenario registry
 * ({@code scenario}), the peers it starts ({@code peer}: nginx, iperf3, storescp, an idle
 * backend), the load generators ({@code load}), the proxies' generated configurations
 * ({@code proxy}), child-process control ({@code process}) and the reports ({@code report}).
 * Must not touch: engine code; it only starts the built distribution through {@code ./dicomlb}.
 * Sends traffic to loopback addresses only.
 */
package org.dicomlb.harness.bench;
