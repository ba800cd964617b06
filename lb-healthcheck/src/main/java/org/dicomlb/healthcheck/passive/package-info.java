/** Passive health: outcomes the data plane reports and the rules by which they count toward fall. */
package org.dicomlb.healthcheck.passive;
