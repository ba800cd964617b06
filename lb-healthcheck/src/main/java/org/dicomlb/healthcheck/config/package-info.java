/**
 * The {@code health-check:} config section: records validated in their constructors and {@link
 * org.dicomlb.healthcheck.config.HealthCheckReader}, which reads them with lb-config's located,
 * error-collecting {@link org.dicomlb.config.Section}.
 */
package org.dicomlb.healthcheck.config;
