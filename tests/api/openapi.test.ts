/**
 * 13.12: /docs/json tells the truth. Linted by Redocly's recommended rules, and checked against the server itself:
 * what the access policy says about each route, and what an anonymous caller actually gets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRule } from '../../src/auth/access-policy.ts';
import { build, type TestApp } from '../helper.ts';

const REDOCLY = join(process.cwd(), 'node_modules/@redocly/cli/bin/cli.js');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** Public reads without parameters: nothing a caller sends can make them answer 4xx, so none is documented. */
const NO_4XX = new Set(['/api/health get', '/api/ready get', '/api/signs get']);

let t: TestApp;
let spec: OpenAPIV3.Document;
let dir: string;
beforeAll(async () => {
  t = await build();
  spec = (await t.anonymous().get('/docs/json')).body as OpenAPIV3.Document;
  dir = mkdtempSync(join(tmpdir(), 'skylt-openapi-'));
}, 30_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

function operations(): Array<{ path: string; method: string; op: OpenAPIV3.OperationObject }> {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item?.[m]).map((method) => ({
      path,
      method,
      op: item?.[method] as OpenAPIV3.OperationObject,
    })),
  );
}
const asFastify = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');
const isPublic = (path: string, method: string) => findRule(method.toUpperCase(), asFastify(path))?.allow === 'public';

describe('the OpenAPI description', () => {
  it("passes Redocly's recommended rules with no errors (and no warnings but the three reads that cannot fail)", () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(spec));
    const run = spawnSync(process.execPath, [REDOCLY, 'lint', file, '--format=json'], { encoding: 'utf8' });
    const report = JSON.parse(run.stdout) as {
      totals: { errors: number };
      problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
    };
    const unexplained = report.problems.filter((p) => {
      const m = /^#\/paths\/(.+)\/(get|post|put|patch|delete)\/responses$/.exec(p.location[0]?.pointer ?? '');
      const where = m ? `${(m[1] as string).replaceAll('~1', '/')} ${m[2]}` : '';
      return !(p.ruleId === 'operation-4xx-response' && NO_4XX.has(where));
    });
    expect(unexplained.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('says which routes are public (no security) and documents 401/403 on the others, as the access policy rules', () => {
    for (const { path, method, op } of operations()) {
      if (!path.startsWith('/api')) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (isPublic(path, method)) {
        expect(op.security, where).toEqual([]);
      } else {
        expect(op.security, where).toBeUndefined();
        expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['401', '403']));
      }
      if (path.includes('{')) expect(Object.keys(op.responses), where).toContain('404');
      if (op.requestBody || op.parameters?.length) expect(Object.keys(op.responses), where).toContain('400');
    }
    expect(spec.security).toEqual([{ session: [] }, { bearer: [] }]);
  });

  it('declares the CSV the reports also answer', () => {
    for (const path of ['/api/reports/airtime', '/api/reports/plays']) {
      const ok = spec.paths[path]?.get?.responses['200'] as OpenAPIV3.ResponseObject;
      expect(Object.keys(ok.content ?? {}), path).toEqual(['application/json', 'text/csv']);
    }
  });

  it('carries the validation limits: password length and the information link hosts', () => {
    const body = (path: string, method: 'post' | 'patch') => {
      const request = spec.paths[path]?.[method]?.requestBody as OpenAPIV3.RequestBodyObject | undefined;
      const schema = request?.content['application/json']?.schema as OpenAPIV3.SchemaObject | undefined;
      return schema?.properties ?? {};
    };
    expect(body('/api/users', 'post').password).toMatchObject({ minLength: 12, maxLength: 256 });
    expect(body('/api/auth/password', 'post').newPassword).toMatchObject({ minLength: 12 });
    const link = body('/api/items', 'post').infoLink as OpenAPIV3.SchemaObject;
    expect(link.pattern).toBeDefined();
    const hosts = new RegExp(link.pattern as string);
    expect(hosts.test('https://vara.se/evenemang')).toBe(true);
    expect(hosts.test('https://www.varakonserthus.se/program')).toBe(true);
    expect(hosts.test('https://evil.example/vara.se')).toBe(false);
    expect(hosts.test('http://vara.se/')).toBe(false);
  });

  it('is true to the server: an anonymous call gets what the description says', async () => {
    for (const { path, method, op } of operations()) {
      if (method !== 'get' || path.includes('{') || !path.startsWith('/api')) continue;
      const res = await t.anonymous().get(path);
      const documented = Object.keys(op.responses);
      expect(documented, `GET ${path} answered ${res.status}`).toContain(String(res.status));
    }
  });
});
