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

describe('the import graph of src/', () => {
  it('puts every top-level module in a layer', () => {
    expect([...new Set(files.map(layerOf))].filter((l) => !(l in LAYERS))).toEqual([]);
  });

  it('has no import from a lower layer up to a higher one', () => {
    const upward: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file);
      for (const dep of deps) {
        const to = layerOf(dep);
        if ((LAYERS[to] ?? 99) > (LAYERS[from] ?? 99))
          upward.push(
            `${relative(SRC, file)} -> ${relative(SRC, dep)} (${from} ${LAYERS[from]} -> ${to} ${LAYERS[to]})`,
          );
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no cycle between files', () => {
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
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
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
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
          component.push(relative(SRC, w));
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const v of graph.keys()) if (!idx.has(v)) visit(v);
    expect(cycles).toEqual([]);
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

  it('can fail: it sees an upward import and a cycle when there is one', () => {
    const fake = new Map([
      ['domain/a.ts', ['api/b.ts']],
      ['api/b.ts', ['domain/a.ts']],
    ]);
    const up = [...fake].flatMap(([f, ds]) =>
      ds.filter((d) => (LAYERS[d.split('/')[0] as string] ?? 99) > (LAYERS[f.split('/')[0] as string] ?? 99)),
    );
    expect(up).toEqual(['api/b.ts']);
  });
});
