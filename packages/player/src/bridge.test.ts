import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ErrorCode, isXP2PError } from '@xp2p/protocol';
import { createNodeP2PModule } from '@xp2p/sdk/node';
import { describe, expect, it } from 'vitest';
import { startPlayerBridge } from './bridge.js';

describe('player bridge', () => {
  it("a port it cannot listen on rejects with the guide's -2301 (the local server cannot start)", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const p2p = createNodeP2PModule();
    try {
      const started = startPlayerBridge({ p2p, port, resolveXp2pInfo: () => Promise.reject(new Error('unused')) });
      const err: unknown = await started.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isXP2PError(err, ErrorCode.LOCAL_SERVER_ERROR)).toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}: EADDRINUSE`));
    } finally {
      p2p.destroy();
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
