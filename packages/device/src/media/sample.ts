/** Locates the demo clip shipped with the package (see assets/make-sample.sh). */
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of assets/sample.flv. Resolved from this module's URL so it works both when run
 * from src/media/ (vitest) and from dist/media/ (built): both are two levels below the package.
 */
export function bundledSamplePath(): string {
  return fileURLToPath(new URL('../../assets/sample.flv', import.meta.url));
}
