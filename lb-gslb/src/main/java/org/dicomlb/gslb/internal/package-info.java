/** Implementation detail of the GSLB's control thread: the failback state of each member. */
package org.dicomlb.gslb.internal;
