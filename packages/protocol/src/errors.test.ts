import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { describeError, ErrorCode, errorMessages, XP2PError } from './errors.js';

describe('error codes', () => {
  it('keeps the guide numbers', () => {
    expect(ErrorCode.PARAM_ERROR).toBe(-2000);
    expect(ErrorCode.SERVICE_NOT_STARTED).toBe(-2403);
    expect(ErrorCode.DOWNLOAD_FAILED).toBe(-2701);
    for (const code of Object.values(ErrorCode)) expect(errorMessages[code]).toBeTruthy();
  });

  it('carries the code as errcode and a message as errmsg', () => {
    const err = new XP2PError(ErrorCode.XP2P_INFO_ERROR, 'bad prefix');
    expect(err.errcode).toBe(-2001);
    expect(err.errmsg).toBe('could not parse xp2pInfo: bad prefix');
  });

  it("describes a failed fetch with its cause, not just 'fetch failed'", async () => {
    // a loopback port that was free a moment ago: nothing listens there
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const err = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(describeError(err)).toMatch(new RegExp(`^fetch failed: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    expect(describeError('plain')).toBe('plain');
  });
});
