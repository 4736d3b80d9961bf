/**
 * SDP and candidate fixes applied at the edge.
 *
 * DTLS role: the viewer offers `a=setup:active`, so the camera answers `passive` and becomes the DTLS
 * server. The viewer (client) then sends its ClientHello only after it has the answer, when the camera's
 * DTLS transport certainly exists. With the default `actpass` the camera is the client and its
 * ClientHello can reach the viewer before the viewer has applied the answer; libdatachannel drops it and
 * retransmits after a fixed 1 s (libdatachannel #1635). Measured on loopback: 1 s stalls in ~25% of
 * connects with actpass, ~1% with active.
 */
export function preferActiveDtlsRole(sdp: string): string {
  return sdp.replace(/^a=setup:actpass\r?$/gm, (line) => line.replace('actpass', 'active'));
}

/** node-datachannel's polyfill reports candidates as "a=candidate:..."; the W3C form has no "a=". */
export function normaliseCandidate(candidate: string): string {
  return candidate.startsWith('a=') ? candidate.slice(2) : candidate;
}

/** host, srflx, prflx or relay: the `typ` of an ICE candidate line (RFC 8839 §5.1). */
export function candidateType(candidate: string): string | undefined {
  return /\btyp (\w+)/.exec(candidate)?.[1];
}
