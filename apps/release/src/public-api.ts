/**
 * The public exports of each published package, read with the TypeScript compiler API from the entry
 * points its `exports` map names, with the TSDoc of their declarations.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const ENTRY_POINTS: Record<string, string[]> = {
  '@idp-kit/auth': ['packages/auth/src/index.ts'],
  '@idp-kit/client': [
    'packages/client/src/index.ts',
    'packages/client/src/callback/index.ts',
    'packages/client/src/otel.ts',
    'packages/client/src/drift.ts',
    'packages/client/src/document-file.ts',
    'packages/client/src/diagnose.ts',
  ],
  '@idp-kit/batch': ['packages/batch/src/index.ts', 'packages/batch/src/postgres-entry.ts'],
  '@idp-kit/eval': ['packages/eval/src/index.ts'],
  '@idp-kit/mcp': ['packages/mcp/src/index.ts'],
  '@idp-kit/viewer': ['packages/viewer/src/index.ts'],
  '@idp-kit/mock': ['packages/mock/src/index.ts'],
};

export interface PublicExport {
  pkg: string;
  entry: string;
  name: string;
  kind: string;
  documented: boolean;
  hasExample: boolean;
  /** Re-exported from another package: documented there. */
  foreign: boolean;
}

export function publicExports(): PublicExport[] {
  const entries = Object.values(ENTRY_POINTS)
    .flat()
    .map((e) => join(ROOT, e));
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    resolveJsonModule: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const result: PublicExport[] = [];
  for (const [pkg, files] of Object.entries(ENTRY_POINTS)) {
    const pkgDir = dirname(dirname(join(ROOT, files[0] ?? '')));
    for (const entry of files) {
      const source = program.getSourceFile(join(ROOT, entry));
      const symbol = source && checker.getSymbolAtLocation(source);
      if (!symbol) throw new Error(`cannot read ${entry}`);
      for (const exported of checker.getExportsOfModule(symbol)) {
        const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const declaration = target.declarations?.[0];
        const file = declaration?.getSourceFile().fileName ?? '';
        const docs = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
        const tags = target.getJsDocTags(checker);
        result.push({
          pkg,
          entry,
          name: exported.name,
          kind: declaration ? ts.SyntaxKind[declaration.kind] : 'unknown',
          documented: docs.length > 0,
          hasExample: tags.some((t) => t.name === 'example'),
          foreign: !file.startsWith(pkgDir) || file.includes('/generated/'),
        });
      }
    }
  }
  return result;
}
