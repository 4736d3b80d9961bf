// Diagnosis only, loaded with NODE_OPTIONS="--import .../rtc-log-preload.mjs" (see trickle-race.test.ts).
// XP2P_ICE_LOG=1: libdatachannel's ICE log lines that matter for candidate exchange, with wall-clock times,
// on stderr.
import nodeDataChannel from 'node-datachannel';
const keep =
  /remote candidate|Adding remote|Parsed remote description|Changing state|Received STUN datagram from 203|Sending request to 203|Setting remote SDP|Using STUN server|Created local description/;
if (process.env.XP2P_ICE_LOG) {
  nodeDataChannel.initLogger('Verbose', (level, message) => {
    if (keep.test(message)) process.stderr.write(`rtc ${Date.now()} ${message.replace(/\r\n/g, ' ').slice(0, 300)}\n`);
  });
}
// XP2P_SLOW_VERIFY=ms (camera process only): every WebCrypto sign takes that much longer, as on a busy
// camera. Shows whether candidates that arrive while the camera checks the viewer token are lost.
const slow = Number(process.env.XP2P_SLOW_VERIFY ?? 0);
if (slow > 0 && process.argv.includes('device')) {
  const subtle = globalThis.crypto.subtle;
  const sign = subtle.sign.bind(subtle);
  subtle.sign = async (...args) => {
    await new Promise((r) => setTimeout(r, slow));
    return sign(...args);
  };
}
