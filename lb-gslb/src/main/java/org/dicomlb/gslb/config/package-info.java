/**
 * The {@code gslb:} section: records validated in their constructors and
 * {@link org.dicomlb.gslb.config.GslbConfigReader}, which reports every mistake at its position.
 */
package org.dicomlb.gslb.config;
