/**
 * SCTP settings for data channels on long paths, for Node peers (libdatachannel through node-datachannel's
 * `setSctpSettings`; browsers choose their own). Pure data: the sdk's Node entry and the camera agent
 * apply it before their first peer connection.
 *
 * libdatachannel's defaults (src/impl/sctptransport.cpp, SetSettings) give usrsctp 1 MiB send and receive
 * buffers, so at most 1 MiB is in flight: 10 MB/s at 100 ms round trip, 3.3 MB/s at 300 ms, whatever the
 * link. Measured in the NAT lab's routed set-up (viewer behind a router delaying every packet, 64 MiB
 * download, 2026-12-05, machine at load 6–12 on 2 cores): default 1.2 / 1.6 MB/s at 100 / 300 ms RTT
 * where TCP got 23 / 7.5 MB/s; 8 MiB buffers 14–23 / 5–13 MB/s. 16 MiB was worse (9 / 5 MB/s): a larger
 * window overflows the receiver's UDP socket buffer (libjuice sets 1 MiB) in longer bursts when its
 * thread is descheduled, and each such loss halves SCTP's window. Congestion control modules (0 RFC 4960,
 * 1 HSTCP, 2 H-TCP, 3 RTCC) did not separate reliably under that load; H-TCP was the worst, so the
 * standard one stays (libdatachannel's choice, its issue #354).
 */
export const LONG_PATH_SCTP_SETTINGS = /* @__PURE__ */ Object.freeze({
  /** usrsctp receive buffer = the window a peer advertises (bytes) */
  recvBufferSize: 8 * 1024 * 1024,
  /** usrsctp send buffer: what may be in flight or queued in SCTP (bytes) */
  sendBufferSize: 8 * 1024 * 1024,
});
