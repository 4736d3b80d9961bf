// Types of scripts/check-structure.mjs for the tests that import it (e2e/structure.test.ts).

export type StructureFinding =
  | { kind: 'file'; file: string; lines: number }
  | { kind: 'function'; file: string; name: string; line: number; lines: number }
  | { kind: 'cycle'; file: string; files: string[] }
  | { kind: 'folder-cycle'; file: string; files: string[]; steps: string[] }
  | { kind: 'allow-list'; file: string; reason: string; name?: string };

/** An allowed finding, matched by kind, file and (for functions) name. */
export interface AllowedFinding {
  kind: StructureFinding['kind'];
  file: string;
  name?: string;
}

export const MAX_FUNCTION_LINES: number;
export const MAX_FILE_LINES: number;
export const ALLOWED: readonly AllowedFinding[];
export const repoRoot: string;
export function listSourceFiles(root?: string): string[];
export function findStructureProblems(root?: string): StructureFinding[];
export function checkAllowList(allowed?: readonly AllowedFinding[]): StructureFinding[];
export function checkStructure(root?: string, allowed?: readonly AllowedFinding[]): StructureFinding[];
export function describe(finding: StructureFinding): string;
