/**
 * {@code mode: dicom} listeners: the association handshake in front of the L4 relay.
 *
 * <p>{@link org.dicomlb.engine.dicom.DicomFrontend} reads one bounded A-ASSOCIATE-RQ under the
 * ARTIM timer, {@link org.dicomlb.engine.dicom.Admission} applies the calling-AE allow list and
 * the routes, the engine's {@link org.dicomlb.engine.relay.Dialer} picks backends, and
 * {@link org.dicomlb.engine.dicom.BackendHandshake} forwards the request (readdressed when the
 * backend has {@code called-ae}) until a backend accepts or permanently rejects it. From the
 * AC on, {@link org.dicomlb.engine.relay.ProxyConnection} relays bytes, optionally with a
 * {@link org.dicomlb.engine.dicom.PduTracker} per direction.
 *
 * <p>Owns the dicom access-log fields and the {@code dicomlb.association*} meters. It must not
 * change balancing, pools or health state itself: backend failures are reported through the
 * listener's {@link org.dicomlb.engine.relay.EndpointObserver}, like connect failures.
 */
package org.dicomlb.engine.dicom;
