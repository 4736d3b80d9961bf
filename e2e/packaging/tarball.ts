/** Reads what `npm pack --json` reports and what a tarball holds. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PackResult {
  name: string;
  filename: string;
  size: number;
  files: { path: string }[];
}

export interface PackedManifest {
  exports?: Record<string, string | { types: string; default: string }>;
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

export const packedFiles = (pack: PackResult): string[] => pack.files.map((f) => f.path);

/** The package.json inside a tarball, as a consumer's npm sees it. */
export async function packedManifest(tarball: string): Promise<PackedManifest> {
  const { stdout } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
  return JSON.parse(stdout) as PackedManifest;
}
