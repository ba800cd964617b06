/**
 * The site-failure drill ({@code scripts/drill}, docs/deployment.md): the acceptance test of the
 * whole appliance. Two hospital sites, each with an appliance pair (a VIP through keepalived, a
 * GSLB on each appliance, a pool with the site's archive and a dns backend to the other site),
 * an archive per site (DCMTK storescp at site A, Orthanc at site B), a hospital resolver
 * (Unbound) delegating the imaging zone to the four GSLBs, a legacy modality pinned to site A's
 * VIP and a DNS-aware one, and a router between them, all in network namespaces the drill creates
 * and deletes. Site A fails six ways while both modalities store; the report says how long each
 * modality took to store again, how many associations failed, and whether any instance that got a
 * success status is missing from both archives.
 *
 * <p>Owns: the namespaces and address plan ({@code Netns}, {@code Network}), the appliances'
 * configuration ({@code ApplianceConfig}), the peers in their namespaces ({@code Archive},
 * {@code Resolver}, {@code Modality}), the scenarios ({@code Drill}) and the report. Reuses the
 * soak's instance maker and dicomlb start, the harness's process control and peers. Must not
 * touch engine code: it only runs built dicomlb processes and talks to them as an operator does
 * (admin API, {@code dicomlb} commands). Sends traffic inside its own namespaces only.
 */
package org.dicomlb.harness.drill;
