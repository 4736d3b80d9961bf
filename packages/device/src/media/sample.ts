/** Locates the demo clip shipped with the package (see assets/make-sample.sh). */
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of assets/sample.flv. Resolved from this module's URL so it works both when run
 * from src/media/ (vitest) and from dist/media/ (built): both are two levels below the package.
 */
export function bundledSamplePath(): string {
  return fileURLToPath(new URL('../../assets/sample.flv', import.meta.url));
}

/** The demo camera's other clips (assets/make-samples-extra.sh): channel 0 standard, channel 1 high and standard. */
export const BUNDLED_SAMPLES = Object.freeze({
  sample: 'sample.flv',
  'sample-standard': 'sample-standard.flv',
  'sample-ch1': 'sample-ch1.flv',
  'sample-ch1-standard': 'sample-ch1-standard.flv',
});
export type BundledSampleName = keyof typeof BUNDLED_SAMPLES;

export function isBundledSampleName(name: string): name is BundledSampleName {
  return Object.hasOwn(BUNDLED_SAMPLES, name);
}

export function bundledSamplePathOf(name: BundledSampleName): string {
  return fileURLToPath(new URL(`../../assets/${BUNDLED_SAMPLES[name]}`, import.meta.url));
}
