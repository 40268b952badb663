/**
 * `npm run bench` runs every benchmark in bench/*.bench.ts; `npm run bench -- NAME` runs one.
 * Each prints a table and writes bench/results/NAME.json: {name, date, node, metrics}.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark } from './lib.ts';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const names = files.map((f) => f.replace(/\.bench\.ts$/, ''));
const unknown = wanted.filter((w) => !names.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${names.join(', ')}`);
  process.exit(2);
}

mkdirSync(join(here, 'results'), { recursive: true });
for (const file of files) {
  // Import only what was asked for: a benchmark's module may do heavy set-up at import time.
  if (wanted.length > 0 && !wanted.includes(file.replace(/\.bench\.ts$/, ''))) continue;
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Benchmark };
  const bench = mod.default;
  if (wanted.length > 0 && !wanted.includes(bench.name)) continue;
  console.log(`\n# ${bench.name}`);
  const metrics = await bench.run();
  console.table(Object.entries(metrics).map(([metric, value]) => ({ metric, value: Number(value.toPrecision(6)) })));
  const result = { name: bench.name, date: new Date().toISOString(), node: process.version, metrics };
  writeFileSync(join(here, 'results', `${bench.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
