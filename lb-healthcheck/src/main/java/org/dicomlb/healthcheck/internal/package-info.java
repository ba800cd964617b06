/**
 * Implementation detail of the checker (control thread, targets, meters, event loops). Not an
 * API: other modules must not use it; its types are public only for the facade and test seams.
 */
package org.dicomlb.healthcheck.internal;
