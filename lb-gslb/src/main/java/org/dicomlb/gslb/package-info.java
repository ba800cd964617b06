/**
 * The GSLB's public API: {@link org.dicomlb.gslb.Gslb} (the runtime the composition root builds
 * and reloads), its status record, the failback result, and {@link org.dicomlb.gslb.LocalPools},
 * the one thing it needs to know of this appliance's pools.
 */
package org.dicomlb.gslb;
