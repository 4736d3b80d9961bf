/**
 * Files of other packages that tests use, found from here so that no test needs a relative path into
 * packages/ (this file sits at the same depth in src/ and in dist/).
 */
import { fileURLToPath } from 'node:url';

/** The built `xp2p` command (`npm run build` first). */
export const XP2P_CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

/** The protocol package's golden fixture: 2 s of 160x120 H.264 (keyframe each second) + AAC. */
export const AV_FLV_FIXTURE = fileURLToPath(new URL('../../protocol/src/flv/fixtures/av.flv', import.meta.url));
