import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * What a new workflow evaluates: every module the workflow bundle's entry reaches by value imports (the
 * reusable V8 context keeps module state per workflow, so each workflow evaluates them again). zod's schema
 * construction made up most of that cost, so nothing workflows/index.ts reaches may import zod; the workload
 * workflows parse with schemas they require on first use (workflows/workload-schemas.ts).
 */
const ROOT = path.resolve(__dirname, '../..');

function resolveModule(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${specifier}`);
}

/** Value imports and re-exports of one file: `import type`, `export type` and type-only specifiers are erased. */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const bindings = clause?.namedBindings;
      const onlyTypes =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((element) => element.isTypeOnly);
      if (!onlyTypes) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

/** Each package the entry reaches, with the chain of files that reaches it first. */
function reachedPackages(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>([entry]);
  const queue: string[][] = [[entry]];
  while (queue.length > 0) {
    const chain = queue.shift()!;
    const file = chain[chain.length - 1]!;
    for (const specifier of valueImports(file)) {
      if (!specifier.startsWith('.')) {
        const name = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        if (!packages.has(name))
          packages.set(
            name,
            chain.map((step) => path.relative(ROOT, step)),
          );
        continue;
      }
      const next = resolveModule(file, specifier);
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push([...chain, next]);
    }
  }
  return packages;
}

describe('what a new workflow evaluates', () => {
  test('the workflow bundle reaches no zod on import', () => {
    const reached = reachedPackages(path.join(ROOT, 'workflows/index.ts'));
    expect(reached.get('zod')).toBeUndefined();
    expect([...reached.keys()]).toContain('@temporalio/workflow');
  });

  test('a value import of a schema module is seen reaching zod', () => {
    expect(reachedPackages(path.join(ROOT, 'schemas/index.ts')).get('zod')).toEqual(['schemas/index.ts', 'schemas/model-ids.ts']);
  });
});
