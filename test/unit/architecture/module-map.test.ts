/**
 * Keeps the architecture as ARCHITECTURE.md describes it: the module map
 * names exactly the folders there are, src/repository/ stays below
 * src/index/, the pipeline's layers import only downwards, and no module
 * under src/ runs code kept in a string. Reads the sources; no services.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = path.join(ROOT, 'src');

/** Every source file under src/, relative to src/. */
const SOURCES = (fs.readdirSync(SRC, { recursive: true }) as string[]).filter((f) => /\.(ts|mts|mjs|js)$/.test(f)).sort();

/** Relative imports of a file, resolved to paths relative to src/ (static, dynamic and `new URL` module references). */
function importsOf(rel: string): string[] {
  const text = fs.readFileSync(path.join(SRC, rel), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(path.relative(SRC, path.resolve(path.dirname(path.join(SRC, rel)), m[1]!)));
  }
  return found;
}

/** The folder of src/ a path is in (`(top)` for files directly in src/). */
const topFolder = (rel: string): string => (rel.includes('/') ? rel.split('/')[0]! : '(top)');

/** Directories named in ARCHITECTURE.md's module map, as `src/x/` or `x/`. */
function mapEntries(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const section = text.slice(text.indexOf('## Module map'), text.indexOf('\n## ', text.indexOf('## Module map') + 1));
  const entries: string[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const first = line.split('|')[1]!;
    for (const m of first.matchAll(/`([^`]+)`/g)) entries.push(m[1]!);
  }
  return entries;
}

describe('ARCHITECTURE.md module map', () => {
  const entries = mapEntries();

  it('names every folder of src/ and every layer of src/pipeline/', () => {
    const dirs = (dir: string) =>
      fs
        .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => `${dir}/${e.name}/`);
    const expected = [...dirs('src'), ...dirs('src/pipeline')];
    expect(expected.filter((d) => !entries.includes(d))).toEqual([]);
  });

  it('names nothing that does not exist', () => {
    expect(entries.filter((e) => !fs.existsSync(path.join(ROOT, e)))).toEqual([]);
  });
});

describe('dependency rules', () => {
  it('src/repository/ sits below src/index/, and src/publishing/ above both', () => {
    const below: Record<string, readonly string[]> = { repository: ['index', 'publishing'], index: ['publishing'] };
    const wrong: string[] = [];
    for (const rel of SOURCES) {
      const forbidden = below[topFolder(rel)] ?? [];
      for (const target of importsOf(rel)) if (forbidden.includes(topFolder(target))) wrong.push(`${rel} imports ${target}`);
    }
    expect(wrong).toEqual([]);
  });

  it('inside src/pipeline/, layers import only downwards', () => {
    const LAYERS = ['contract', 'store', 'request-job', 'target-jobs', 'worker', 'client'] as const;
    /** What each layer may import. */
    const allowed: Record<(typeof LAYERS)[number], readonly string[]> = {
      contract: [],
      store: ['contract'],
      'request-job': ['contract', 'store'],
      'target-jobs': ['contract', 'store'],
      worker: ['contract', 'store', 'request-job', 'target-jobs'],
      client: ['contract', 'store', 'worker'],
    };
    const layerOf = (rel: string): string | undefined => (rel.startsWith('pipeline/') ? rel.split('/')[1] : undefined);
    const wrong: string[] = [];
    for (const rel of SOURCES.filter((f) => f.startsWith('pipeline/') && f.split('/').length > 2)) {
      const from = layerOf(rel) as (typeof LAYERS)[number];
      expect(LAYERS, `${rel} is in no layer`).toContain(from);
      for (const target of importsOf(rel)) {
        const to = layerOf(target);
        if (to === undefined || to === from) continue;
        if (target === 'pipeline/index.ts' || target === 'pipeline/index.js' || !allowed[from].includes(to)) wrong.push(`${rel} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('no code from strings under src/', () => {
  const RULES: readonly [RegExp, string][] = [
    // A call of the global eval (a method named eval, or its typed declaration, is something else).
    [/(?<![.\w])eval\s*\((?!\s*\w+\s*:)/, 'eval()'],
    [/\bnew\s+Function\s*\(/, 'new Function()'],
    [/(?<![.\w])Function\s*\(\s*['"`]/, 'Function("…")'],
    [/\beval\s*:\s*true\b/, 'Worker(…, { eval: true })'],
    [/['"](?:node:)?vm['"]/, 'the vm module'],
    [/\bString\.raw\s*`/, 'code in String.raw'],
  ];

  it('no module evaluates code from a string', () => {
    const found: string[] = [];
    for (const rel of SOURCES) {
      const text = fs.readFileSync(path.join(SRC, rel), 'utf8');
      for (const [pattern, what] of RULES) {
        const match = pattern.exec(text);
        if (match !== null) found.push(`src/${rel}:${text.slice(0, match.index).split('\n').length}: ${what}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('the rules catch what they are meant to (checked against samples)', () => {
    const hits = (text: string) => RULES.filter(([pattern]) => pattern.test(text)).map(([, what]) => what);
    expect(hits('const f = eval("1+1");')).toEqual(['eval()']);
    expect(hits('new Worker(src, { eval: true })')).toEqual(['Worker(…, { eval: true })']);
    expect(hits('const g = new Function("a", "return a");')).toEqual(['new Function()', 'Function("…")']);
    expect(hits("import vm from 'node:vm';")).toEqual(['the vm module']);
    expect(hits('const PY = String.raw`import os`;')).toEqual(['code in String.raw']);
    // Redis runs its own Lua scripts: a method named eval is not JavaScript evaluation.
    expect(hits('await redis.eval(SCRIPT, 1, key);')).toEqual([]);
    expect(hits('  eval(script: string, numKeys: number): Promise<unknown>;')).toEqual([]);
  });
});
