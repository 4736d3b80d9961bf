/**
 * What every inbound wire message is checked with: zod's `zod/mini` build (same checks as zod's classic
 * API, written as functions, so a bundler keeps only the checks the schemas use).
 *
 * Measured 2026-12-05 for the browser sdk bundle (esbuild, minified, gzip -9): classic zod through
 * `import { z } from 'zod'` added ~93 kB (its locales ride along), through `import * as z` ~26 kB,
 * `zod/mini` ~6 kB. The schemas stay the single source of both the checks and the TypeScript types.
 * `zod/mini` loads no locale, so issues are described here from their codes, not zod's English text.
 */
import * as z from 'zod/mini';

/** A schema for one message type (zod/mini or classic zod: both share the core). */
export type MessageSchema<T> = z.core.$ZodType<T>;

/** A string of at most `max` characters (and at least `min`). */
export const text = (max: number, min = 0) => z.string().check(z.minLength(min), z.maxLength(max));

/** A safe integer (JSON numbers from a peer must be), within [min, max] when given. */
export function int(min?: number, max?: number) {
  const checks: z.core.$ZodCheck<number>[] = [];
  if (min !== undefined) checks.push(z.minimum(min));
  if (max !== undefined) checks.push(z.maximum(max));
  return z.int().check(...checks);
}

/** One line saying where and how a message broke its schema, e.g. `sessionId: too short (min 8)`. */
export function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'schema';
  const where = issue.path.map(String).join('.') || '(root)';
  return `${where}: ${issueText(issue)}`;
}

function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_big':
      return `too ${issue.origin === 'number' ? 'large' : 'long'} (max ${String(issue.maximum)})`;
    case 'too_small':
      return `too ${issue.origin === 'number' ? 'small' : 'short'} (min ${String(issue.minimum)})`;
    case 'invalid_format':
      return `does not match ${issue.format === 'regex' ? (issue as { pattern?: string }).pattern : issue.format}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'invalid_union':
      return 'matches no message type';
    case 'unrecognized_keys':
      return `unknown keys ${issue.keys.join(', ')}`;
    default:
      return issue.code;
  }
}
