/** The {@code tcp} check: a connect within the timeout. */
package org.dicomlb.healthcheck.tcp;
