#!/usr/bin/env node
// Structure check: keeps the source readable as it grows (STYLE.md, issue 11).
//
// Over packages/*/src (production files only: no *.test.ts, no *.test-support.ts) it reports
//   - import cycles between files (any strongly connected set of files that import each other,
//     type-only imports included: a type loop is still two files that cannot be read apart),
//   - functions, methods, arrows and constructors longer than MAX_FUNCTION_LINES lines
//     (a closure counts with everything nested in it: that is what a reader has to hold),
//   - files longer than MAX_FILE_LINES lines,
//   - import loops between the top-level folders of one package's src (e.g. server/src/signal and
//     server/src/cluster importing each other through any files): a folder is a layer, and layers import
//     one way. Files directly in src/ (index.ts, server.ts, errors.ts, ...) count one by one, since src/
//     holds both the package's entry points and its lowest shared pieces.
// It parses with the TypeScript compiler API (the root `typescript` devDependency), no type checking,
// so it runs in about a second.
//
// Usage: node scripts/check-structure.mjs [--json]   (exit code 1 when there is a finding)
// e2e/structure.test.ts runs it under vitest.

import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MAX_FUNCTION_LINES = 120;
export const MAX_FILE_LINES = 600;

/**
 * Findings tolerated for now, matched by kind, file and name (not by line count, which moves).
 * Only packages/sdk/src may appear here. Empty since the sdk's folders import one way (guide/ -> one-to-one/,
 * swarm/ -> signal/ -> the shared files in src/). An entry that no longer matches anything is itself a
 * finding, so the list can only shrink. Nothing outside packages/sdk/src may be allowed (checkAllowList).
 */
export const ALLOWED = Object.freeze([]);

const ALLOWED_ROOT = 'packages/sdk/src/';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..');

/** Production TypeScript files under packages/<name>/src, as repo-relative paths with '/' separators. */
export function listSourceFiles(root = repoRoot) {
  const files = [];
  const packagesDir = join(root, 'packages');
  for (const pkg of readdirSync(packagesDir).sort()) {
    const src = join(packagesDir, pkg, 'src');
    if (existsSync(src) && statSync(src).isDirectory()) walk(src, files);
  }
  return files.map((file) => toRepoPath(root, file)).sort();
}

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (isProductionSource(entry.name)) out.push(full);
  }
}

function isProductionSource(name) {
  if (!name.endsWith('.ts') || name.endsWith('.d.ts')) return false;
  return !name.endsWith('.test.ts') && !name.endsWith('.test-support.ts');
}

function toRepoPath(root, file) {
  return relative(root, file).split(sep).join('/');
}

/** Relative import specifiers of one file (static imports, re-exports, dynamic import('...')). */
function relativeImports(sourceFile) {
  const specifiers = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return specifiers.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** './x.js' from 'a/b.ts' → 'a/x.ts' (or 'a/x/index.ts'); undefined when it is not a checked file. */
function resolveImport(fromFile, specifier, known) {
  const base = join(dirname(fromFile), specifier).split(sep).join('/');
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find((candidate) => known.has(candidate));
}

function functionName(node) {
  if (ts.isConstructorDeclaration(node)) return `${className(node.parent)}.constructor`;
  if (node.name && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name) || ts.isStringLiteral(node.name))) {
    const own = node.name.text;
    return ts.isClassLike(node.parent) ? `${className(node.parent)}.${own}` : own;
  }
  // An anonymous function takes the name it is assigned to or passed as (property, variable).
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  ) {
    if (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name)) return parent.name.text;
  }
  return '<anonymous>';
}

function className(node) {
  return node.name ? node.name.text : '<class>';
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function longFunctions(sourceFile, file) {
  const findings = [];
  const visit = (node) => {
    if (isFunctionLike(node) && node.body) {
      const first = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
      const last = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) {
        findings.push({ kind: 'function', file, name: functionName(node), line: first, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return findings;
}

/** Tarjan's strongly connected components of a graph (node → set of nodes), each with two or more members. */
function stronglyConnected(graph) {
  let index = 0;
  const indices = new Map();
  const lowlinks = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  const connect = (node) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        lowlinks.set(node, Math.min(lowlinks.get(node), lowlinks.get(next)));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node), indices.get(next)));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) connect(node);
  return components;
}

/** Every strongly connected set of files is an import cycle. */
function importCycles(graph) {
  return stronglyConnected(graph).map((files) => ({ kind: 'cycle', file: files[0], files }));
}

/** The layer a file belongs to: its first folder under packages/<name>/src, or itself when directly in src/. */
function layerOf(file) {
  const [, pkg, rest] = /^packages\/([^/]+)\/src\/(.*)$/.exec(file);
  const slash = rest.indexOf('/');
  return slash < 0 ? file : `packages/${pkg}/src/${rest.slice(0, slash)}/`;
}

/** Loops between layers (see layerOf), each with one file-level import per step as evidence. */
function folderCycles(graph) {
  const layers = new Map();
  const evidence = new Map();
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = layerOf(from);
      const b = layerOf(to);
      if (a === b) continue;
      if (!layers.has(a)) layers.set(a, new Set());
      layers.get(a).add(b);
      if (!evidence.has(`${a} ${b}`)) evidence.set(`${a} ${b}`, `${from} -> ${to}`);
    }
  }
  return stronglyConnected(layers)
    .filter((members) => members.some((m) => m.endsWith('/')))
    .map((members) => {
      const steps = [];
      for (const a of members) {
        for (const b of layers.get(a) ?? []) if (members.includes(b)) steps.push(evidence.get(`${a} ${b}`));
      }
      return { kind: 'folder-cycle', file: members[0], files: members, steps: steps.sort() };
    });
}

/** Every finding in the tree, before the allow-list. */
export function findStructureProblems(root = repoRoot) {
  const files = listSourceFiles(root);
  const known = new Set(files);
  const graph = new Map();
  const findings = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const lineCount = sourceFile.getLineStarts().length - (text.endsWith('\n') ? 1 : 0);
    if (lineCount > MAX_FILE_LINES) findings.push({ kind: 'file', file, lines: lineCount });
    findings.push(...longFunctions(sourceFile, file));
    const targets = new Set();
    for (const specifier of relativeImports(sourceFile)) {
      const target = resolveImport(file, specifier, known);
      if (target) targets.add(target);
    }
    graph.set(file, targets);
  }
  findings.push(...importCycles(graph));
  findings.push(...folderCycles(graph));
  return findings;
}

function matches(entry, finding) {
  if (entry.kind !== finding.kind || entry.file !== finding.file) return false;
  return entry.kind !== 'function' || entry.name === finding.name;
}

/** Allow-list entries outside packages/sdk/src are refused, whatever they say. */
export function checkAllowList(allowed = ALLOWED) {
  return allowed
    .filter((entry) => !entry.file.startsWith(ALLOWED_ROOT))
    .map((entry) => ({ kind: 'allow-list', file: entry.file, reason: `only ${ALLOWED_ROOT} findings may be allowed` }));
}

/** Findings that fail the check: everything not allowed, plus allow-list entries that match nothing. */
export function checkStructure(root = repoRoot, allowed = ALLOWED) {
  const all = findStructureProblems(root);
  const failing = all.filter((finding) => !allowed.some((entry) => matches(entry, finding)));
  const stale = allowed
    .filter((entry) => !all.some((finding) => matches(entry, finding)))
    .map((entry) => ({
      kind: 'allow-list',
      file: entry.file,
      name: entry.name,
      reason: 'allowed finding is gone: remove its entry',
    }));
  return [...checkAllowList(allowed), ...failing, ...stale];
}

export function describe(finding) {
  switch (finding.kind) {
    case 'file':
      return `${finding.file}: ${finding.lines} lines (max ${MAX_FILE_LINES})`;
    case 'function':
      return `${finding.file}:${finding.line}: ${finding.name} is ${finding.lines} lines (max ${MAX_FUNCTION_LINES})`;
    case 'cycle':
      return `import cycle: ${finding.files.join(' -> ')} -> ${finding.files[0]}`;
    case 'folder-cycle':
      return `folder loop: ${finding.files.join(', ')} (${finding.steps.join('; ')})`;
    default:
      return `${finding.file}${finding.name ? ` (${finding.name})` : ''}: ${finding.reason}`;
  }
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const findings = checkStructure();
  if (process.argv.includes('--json')) console.log(JSON.stringify(findings, null, 2));
  else for (const finding of findings) console.log(describe(finding));
  if (findings.length > 0) {
    console.error(`check-structure: ${findings.length} finding(s)`);
    process.exit(1);
  }
  console.log('check-structure: no findings');
}
