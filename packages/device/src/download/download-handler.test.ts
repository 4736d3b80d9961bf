import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeResponse } from '@xp2p/testing/device';
import { DownloadHandler } from './download-handler.js';

let root: string;
let store: string;
const file = randomBytes(3 * 1024 * 1024 + 123);
const sha = createHash('sha256').update(file).digest('hex');

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xp2p-dl-'));
  store = join(root, 'store');
  mkdirSync(store);
  writeFileSync(join(store, 'clip.bin'), file);
  writeFileSync(join(root, 'secret.txt'), 'outside the store');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function download(query: string, handler = new DownloadHandler(store)) {
  const res = fakeResponse();
  await handler.serve(new URLSearchParams(query), res);
  return res;
}

describe('DownloadHandler', () => {
  it('sends the whole file with its size and the sha256 of the whole file', async () => {
    const res = await download('file_name=clip.bin');
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'content-length': String(file.byteLength),
      'x-file-size': String(file.byteLength),
      'x-file-sha256': sha,
      'x-offset': '0',
    });
    expect(Buffer.from(res.body()).equals(file)).toBe(true);
    expect(res.ended).toBe(true);
  });

  it('resumes from an offset: the bytes from k, the whole-file hash, and backpressure waits', async () => {
    const k = 1_500_001;
    const handler = new DownloadHandler(store, { highWaterBytes: 512 * 1024 });
    const res = fakeResponse();
    const origWrite = res.write.bind(res);
    res.write = (b) => {
      res.buffered += b.byteLength; // a slow channel: nothing drains until asked
      return origWrite(b);
    };
    await handler.serve(new URLSearchParams(`file_name=clip.bin&offset=${k}`), res);
    expect(res.headers['content-length']).toBe(String(file.byteLength - k));
    expect(res.headers['x-file-sha256']).toBe(sha);
    expect(res.headers['x-offset']).toBe(String(k));
    expect(Buffer.from(res.body()).equals(file.subarray(k))).toBe(true);
    expect(res.drainCalls).toBeGreaterThan(0);
  });

  it('an offset at the end sends nothing; past the end is 416', async () => {
    const atEnd = await download(`file_name=clip.bin&offset=${file.byteLength}`);
    expect(atEnd.status).toBe(200);
    expect(atEnd.body().byteLength).toBe(0);
    expect((await download(`file_name=clip.bin&offset=${file.byteLength + 1}`)).status).toBe(416);
    expect((await download('file_name=clip.bin&offset=-1')).status).toBe(400);
  });

  it('refuses names that leave the store (403) and reads nothing; missing files are 404', async () => {
    symlinkSync('/etc/hosts', join(store, 'hosts'));
    symlinkSync(join(root, 'secret.txt'), join(store, 'secret'));
    for (const name of ['../secret.txt', '/etc/passwd', 'hosts', 'secret', '..', 'a/../../secret.txt']) {
      const res = await download(`file_name=${encodeURIComponent(name)}`);
      expect(res.status, name).toBe(403);
      expect(res.body().byteLength).toBe(0);
    }
    expect((await download('file_name=nope.bin')).status).toBe(404);
    expect((await download('')).status).toBe(400);
  });

  it('hashes a file once per version, again after it changes', async () => {
    const handler = new DownloadHandler(store);
    const first = await download('file_name=clip.bin', handler);
    writeFileSync(join(store, 'clip.bin'), 'changed');
    const second = await download('file_name=clip.bin', handler);
    expect(first.headers['x-file-sha256']).toBe(sha);
    expect(second.headers['x-file-sha256']).toBe(createHash('sha256').update('changed').digest('hex'));
  });

  it('stops reading when the viewer cancels', async () => {
    const handler = new DownloadHandler(store, { readBytes: 64 * 1024 });
    const res = fakeResponse();
    const origWrite = res.write.bind(res);
    res.write = (b) => {
      const ok = origWrite(b);
      if (res.chunks.length === 3) res.closeByViewer();
      return ok;
    };
    await handler.serve(new URLSearchParams('file_name=clip.bin'), res);
    expect(res.chunks.length).toBe(3);
    expect(res.ended).toBe(false);
  });

  it('streams a 200 MB file at well over 60 MB/s through the writer', async () => {
    const big = join(store, 'big.bin');
    writeFileSync(big, Buffer.alloc(200 * 1024 * 1024, 7));
    const handler = new DownloadHandler(store);
    await download('file_name=big.bin&offset=199000000', handler); // hash once (cached)
    const res = fakeResponse();
    let bytes = 0;
    res.write = (b) => {
      bytes += b.byteLength; // count only: the viewer side is not under test here
      return true;
    };
    const t0 = performance.now();
    await handler.serve(new URLSearchParams('file_name=big.bin'), res);
    const seconds = (performance.now() - t0) / 1000;
    expect(bytes).toBe(200 * 1024 * 1024);
    expect(200 / seconds).toBeGreaterThan(60);
  });
});
