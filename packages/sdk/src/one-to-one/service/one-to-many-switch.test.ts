import { newCameraStream, ONE_TO_MANY_HEADER, ONE_TO_MANY_KEY_HEADER, streamPublicKey } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { askingForOneToMany, offeredOneToMany } from './one-to-many-switch.js';

describe('1v1 → 1vN: what a live request asks and what a full camera answers', () => {
  it('asks once, keeping the request as it was', () => {
    const asked = askingForOneToMany({ path: 'ipc.flv', query: 'action=live&channel=1&quality=standard' });
    expect(asked).toEqual({ path: 'ipc.flv', query: 'action=live&channel=1&quality=standard&xp2p_1vn=1' });
    expect(askingForOneToMany(asked).query).toBe(asked.query);
  });

  it('takes only a 503 naming a camera stream of the right shape', async () => {
    const { name, key } = await newCameraStream('secret-0123456789', 'demo/cam1');
    expect(offeredOneToMany(503, { [ONE_TO_MANY_HEADER]: name })).toEqual({ stream: name });
    // with the stream's public key (the swarm then trusts only records signed by it); a key of another shape: refused
    const publicKey = await streamPublicKey(key, name);
    expect(offeredOneToMany(503, { [ONE_TO_MANY_HEADER]: name, [ONE_TO_MANY_KEY_HEADER]: publicKey })).toEqual({
      stream: name,
      publicKey,
    });
    expect(offeredOneToMany(503, { [ONE_TO_MANY_HEADER]: name, [ONE_TO_MANY_KEY_HEADER]: 'x' })).toBeUndefined();
    expect(offeredOneToMany(200, { [ONE_TO_MANY_HEADER]: name })).toBeUndefined();
    expect(offeredOneToMany(503, {})).toBeUndefined();
    // a camera cannot send its viewer to any other stream of the origin (an operator's, another name)
    for (const other of ['demo', 'cam-', `${name}x`, '../live/demo', `cam-${'a'.repeat(43)}!`]) {
      expect(offeredOneToMany(503, { [ONE_TO_MANY_HEADER]: other }), other).toBeUndefined();
    }
  });
});
