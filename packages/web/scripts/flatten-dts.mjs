/**
 * Makes the bundled declarations of xp2p-sdk.js stand alone. dts-bundle-generator inlines our packages'
 * declarations, but the wire types are `z.infer<typeof someSchema>` over zod's types, so the bundle would
 * need zod installed to type-check. A page that loads xp2p-sdk.js from a server has no zod: this replaces
 * each such alias by the plain object type TypeScript infers for it and drops the schema constants and the
 * zod import (none of them is exported).
 */
import ts from 'typescript';

const ZOD_IMPORT = /^import \* as z from ['"]zod\/mini['"];\n/m;

/** Returns `text` (a .d.ts at `file`) with every zod-derived type alias written out. */
export function flattenZodTypes(file, text) {
  if (!ZOD_IMPORT.test(text)) return text;
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? text : readFile(name));
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const edits = [];
  for (const statement of source.statements) {
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const zodTyped = /\bz\.\w/.test(statement.getText(source));
    if (!zodTyped) continue;
    if (ts.isTypeAliasDeclaration(statement)) {
      const type = checker.getTypeAtLocation(statement.name);
      const flags =
        ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias | ts.TypeFormatFlags.MultilineObjectLiterals;
      const written = checker.typeToString(type, statement, flags);
      const prefix = exported ? 'export ' : '';
      edits.push([statement.getStart(source), statement.end, `${prefix}type ${statement.name.text} = ${written};`]);
    } else if (ts.isVariableStatement(statement) && !exported) {
      edits.push([statement.getFullStart(), statement.end, '']);
    } else {
      throw new Error(`flatten-dts: exported declaration uses zod types: ${statement.getText(source).slice(0, 120)}`);
    }
  }
  let out = text;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) {
    out = out.slice(0, start) + replacement + out.slice(end);
  }
  return out.replace(ZOD_IMPORT, '');
}
