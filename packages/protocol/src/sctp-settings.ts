/**
 * SCTP settings for data channels on long paths, for Node peers (libdatachannel through node-datachannel's
 * `setSctpSettings`; browsers choose their own). Pure data: the sdk's Node entry and the camera agent
 * apply it before their first peer connection (it is process-wide in usrsctp).
 *
 * libdatachannel's defaults (src/impl/sctptransport.cpp, SetSettings) give usrsctp 1 MiB send and receive
 * buffers, so at most 1 MiB is in flight: 10 MB/s at 100 ms round trip, 3.3 MB/s at 300 ms, whatever the
 * link, and the standard congestion control (RFC 4960).
 *
 * Why these values (NAT lab, routed: the viewer behind a router delaying every packet; 64 MiB download,
 * `npm run bench:lab`; TCP (BBR) got 22–23 MB/s at 100 ms RTT and 7.2–7.4 MB/s at 300 ms on the same path):
 * - What costs throughput is loss at the receiver, not the link: the viewer's UDP socket (libjuice asks
 *   for 1 MiB) overflows whenever its thread is descheduled on a busy machine, or libdatachannel's DTLS
 *   queue (1,024 packets) does; a window far above the path's bandwidth-delay product only makes those
 *   bursts longer. 16 MiB buffers were worse than 8 MiB; with 8 MiB the viewer's socket dropped 100–7,500
 *   datagrams in most runs.
 * - Each such loss halves the standard congestion control's window, which then grows back by one packet
 *   per round trip: a 2 MB window takes minutes to regrow at 100–300 ms, so one early loss decides a
 *   download (RFC 4960 at 8 MiB: 8.8 / 16.6 / 21.1 MB/s at 100 ms, 13.3 / 3.2 / 2.2 at 300; at 4 MiB:
 *   1.2 / 14.9 / 15.4 and 1.8 / 8.8 / 4.5). HighSpeed TCP's rules (RFC 3649, usrsctp module 1) give back
 *   less of a large window and regrow it faster; at small windows they are the standard ones.
 *   H-TCP (module 2) was the worst.
 * - A 4 MiB receive window still allows 40 MB/s at 100 ms and 13 MB/s at 300 ms, above TCP, and bounds the
 *   burst a stall can pile up. 4 MiB + HighSpeed: 24.9 / 22.1 / 20.8 MB/s at 100 ms, 7.9 / 9.5 / 9.3 at
 *   300 ms (3 MiB + HighSpeed: 20.3 / 20.3 / 19.7 and 6.5 / 6.4 / 6.8); load 3–11 on 2 cores.
 */
export const LONG_PATH_SCTP_SETTINGS = /* @__PURE__ */ Object.freeze({
  /** usrsctp receive buffer = the window a peer advertises (bytes) */
  recvBufferSize: 4 * 1024 * 1024,
  /** usrsctp send buffer: what may be in flight or queued in SCTP (bytes); above the peer's window */
  sendBufferSize: 8 * 1024 * 1024,
  /** usrsctp's congestion control module: 0 RFC 4960, 1 HighSpeed (RFC 3649), 2 H-TCP, 3 RTCC */
  congestionControlModule: 1,
});
