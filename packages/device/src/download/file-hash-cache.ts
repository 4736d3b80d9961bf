/**
 * SHA-256 of whole files, remembered by path + mtime + size: a large recording is hashed once, not on
 * every (resumed) download, and a file that changed is hashed again. Concurrent requests share one pass.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

const MAX_ENTRIES = 512;

export class FileHashCache {
  private readonly hashes = new Map<string, Promise<string>>();

  sha256(path: string, size: number, mtimeMs: number): Promise<string> {
    const key = `${path}\0${size}\0${mtimeMs}`;
    const known = this.hashes.get(key);
    if (known) return known;
    const pending = hashFile(path);
    this.hashes.set(key, pending);
    pending.catch(() => this.hashes.delete(key)); // an I/O error is not remembered
    if (this.hashes.size > MAX_ENTRIES) {
      const oldest = this.hashes.keys().next().value;
      if (oldest !== undefined) this.hashes.delete(oldest);
    }
    return pending;
  }
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1024 * 1024 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
