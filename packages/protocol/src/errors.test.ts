import { describe, expect, it } from 'vitest';
import { ErrorCode, errorMessages, XP2PError } from './errors.js';

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
});
