/**
 * Resolves a viewer-supplied file name to a file inside the store directory, or says why not. Every check
 * that can refuse without touching the file comes first; symlinks are followed with realpath and must
 * still land inside the directory, so a link to /etc/hosts placed in the store is refused too.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';

export type StoreFileResult =
  { ok: true; path: string; size: number; mtimeMs: number } | { ok: false; status: 400 | 403 | 404; reason: string };

export async function resolveStoreFile(dir: string, name: string | null): Promise<StoreFileResult> {
  if (!name) return { ok: false, status: 400, reason: 'file_name is required' };
  if (
    isAbsolute(name) ||
    name.includes('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.startsWith('.') // "..", ".", and the store's own temp files
  ) {
    return { ok: false, status: 403, reason: 'file_name must name a file in the camera store' };
  }
  let root: string;
  let real: string;
  try {
    root = await realpath(dir);
    real = await realpath(join(root, name));
  } catch {
    return { ok: false, status: 404, reason: `no file ${name}` };
  }
  if (!real.startsWith(root + sep))
    return { ok: false, status: 403, reason: 'file_name leads outside the camera store' };
  const st = await stat(real).catch(() => undefined);
  if (!st?.isFile()) return { ok: false, status: 404, reason: `no file ${name}` };
  return { ok: true, path: real, size: st.size, mtimeMs: st.mtimeMs };
}
