import { describe, expect, it } from 'vitest';
import { VIEWER_UUID_MAX, viewerUuidOf } from './viewer-uuid.js';

describe('viewerUuidOf', () => {
  it('is undefined when the query has no uuid (older clients)', () => {
    expect(viewerUuidOf(new URLSearchParams('appKey=a'))).toBeUndefined();
  });
  it('accepts an id of letters, digits, _ and - up to the limit', () => {
    expect(viewerUuidOf(new URLSearchParams('uuid=ab_C-9'))).toBe('ab_C-9');
    const longest = 'a'.repeat(VIEWER_UUID_MAX);
    expect(viewerUuidOf(new URLSearchParams({ uuid: longest }))).toBe(longest);
  });
  it('refuses (null) an empty, over-long or oddly spelt uuid', () => {
    expect(viewerUuidOf(new URLSearchParams('uuid='))).toBeNull();
    expect(viewerUuidOf(new URLSearchParams({ uuid: 'a'.repeat(VIEWER_UUID_MAX + 1) }))).toBeNull();
    expect(viewerUuidOf(new URLSearchParams({ uuid: 'a b\n' }))).toBeNull();
  });
});
