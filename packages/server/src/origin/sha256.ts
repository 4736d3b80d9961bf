import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256, the form chunk and init hashes take in manifests and ETags. */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
