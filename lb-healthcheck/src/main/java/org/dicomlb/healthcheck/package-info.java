/**
 * Health of backend endpoints: {@link org.dicomlb.healthcheck.HealthChecker} runs active checks
 * on its own event loops, applies rise/fall, takes passive reports from the data plane and
 * publishes {@link org.dicomlb.healthcheck.HealthEvent}s. The check SPI is {@link
 * org.dicomlb.healthcheck.HealthCheck} with {@link org.dicomlb.healthcheck.HealthCheckFactory}.
 *
 * <p>This module decides health only. It never touches pools, listeners or relayed connections:
 * the engine and GSLB subscribe and build their own snapshots. See the module README.
 */
package org.dicomlb.healthcheck;
