/**
 * The house's layers (README "Repository layout"), checked on the real import graph of src/: no import cycle
 * between files, and no import from a lower layer up to a higher one. `import type` counts: a type from above is
 * still an arrow pointing the wrong way. Same-layer imports are fine when they make no cycle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Lower numbers are lower layers: a file may import its own layer and below. */
const LAYERS: Record<string, number> = {
  // Pure types and rules: no I/O, no framework.
  domain: 0,
  // The parts that touch one thing each: the database, the canvas, the sign links.
  store: 1,
  render: 1,
  signs: 1,
  // What runs on its own over those: the rotation, the crisis feeds and takeover, who may do what.
  schedule: 2,
  crisis: 2,
  auth: 2,
  // The content workflow: items, pictures, the shared playlist.
  workflow: 3,
  // The HTTP edge: routes, the auth hook, the error handler.
  api: 4,
  // Reading the configuration (env + the sign file) into every part's settings.
  config: 4,
  // Wiring: the running parts, the HTTP app.
  runtime: 5,
  app: 5,
  // Entry points.
  main: 6,
  cli: 6,
  version: 6,
};

/** Imports a lower layer must never make: I/O and frameworks stay out of the domain. */
const DOMAIN_MAY_NOT =
  /^(node:(fs|net|http|https|child_process|dgram|os|path)|fastify|better-sqlite3|serialport|@napi-rs\/canvas|pino|node-schedule)/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'web' ? [] : tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? (rel.split('/')[0] as string) : rel.replace(/\.ts$/, '');
}

const SPEC = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(SPEC)].map((m) => (m[1] ?? m[2]) as string);
}

const files = tsFiles(SRC);
const graph = new Map(
  files.map((f) => [
    f,
    importsOf(f)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(f), s)),
  ]),
);

/** Imports from a file to a file in a higher layer, as [from, to]. */
function upwardImports(g: Map<string, string[]>, layer: (file: string) => string): Array<[string, string]> {
  return [...g].flatMap(([file, deps]) =>
    deps.filter((d) => (LAYERS[layer(d)] ?? 99) > (LAYERS[layer(file)] ?? 99)).map((d): [string, string] => [file, d]),
  );
}

/** Files that import each other round a loop (Tarjan's strongly connected components of more than one file). */
function cyclesOf(g: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

describe('the import graph of src/', () => {
  it('puts every top-level module in a layer', () => {
    expect([...new Set(files.map(layerOf))].filter((l) => !(l in LAYERS))).toEqual([]);
  });

  it('has no import from a lower layer up to a higher one', () => {
    expect(upwardImports(graph, layerOf).map(([f, d]) => `${relative(SRC, f)} -> ${relative(SRC, d)}`)).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cyclesOf(graph).map((c) => c.map((f) => relative(SRC, f)))).toEqual([]);
  });

  it('keeps I/O and frameworks out of the domain', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'domain')
      .flatMap((f) =>
        importsOf(f)
          .filter((s) => DOMAIN_MAY_NOT.test(s))
          .map((s) => `${relative(SRC, f)} imports ${s}`),
      );
    expect(offenders).toEqual([]);
  });

  it('can fail: the same checks find an upward import and a cycle in a graph that has them', () => {
    const bad = new Map([
      ['domain/a.ts', ['api/b.ts']],
      ['api/b.ts', ['domain/a.ts', 'domain/c.ts']],
      ['domain/c.ts', []],
    ]);
    const top = (f: string) => f.split('/')[0] as string;
    expect(upwardImports(bad, top)).toEqual([['domain/a.ts', 'api/b.ts']]);
    expect(cyclesOf(bad)).toEqual([['api/b.ts', 'domain/a.ts']]);
  });
});
