import type { OpenAPIV3 } from 'openapi-types';
import { ACCESS_POLICY, type AccessRule, findRule } from '../auth/access-policy.ts';

/**
 * The OpenAPI description tells the truth about every operation, from the same sources the server obeys: who may
 * call it (the access policy: public routes need no security), the refusals it can give (400 for what it reads, 401
 * and 403 when it needs a role, 404 for an id in the path), an operationId, and the CSV a report also speaks. Routes
 * still declare their own special answers (409, 413, 422, 429 ...); this fills in what every route shares.
 */

const ERROR_BODY: OpenAPIV3.SchemaObject = {
  type: 'object',
  description: 'What is wrong and how to fix it; `issues` name the fields',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
        required: ['field', 'message'],
      },
    },
  },
  required: ['statusCode', 'message'],
};

const WHY: Record<string, string> = {
  '400': 'The request is malformed or a field is invalid: the message and `issues` say which and why',
  '401': 'Not signed in (session cookie) and no valid API token (Authorization: Bearer)',
  '403': 'Signed in, but this role may not do this, or the CSRF token is missing (X-CSRF-Token)',
  '404': 'No such thing, or one the caller may not see',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** "/api/items/{id}/approve" -> "/api/items/:id/approve", as the access policy and fastify write it. */
const fastifyPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

/** GET /api/items/{id}/signs/{signId}/preview.png -> getItemsByIdSignsBySignIdPreviewPng: unique per route. */
export function operationIdFor(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((s) => s && s !== 'api')
    .flatMap((s) => {
      const param = /^\{(.+)\}$/.exec(s);
      return param ? ['by', param[1] as string] : s.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean);
  return method + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}

export function completeOpenApi(
  doc: OpenAPIV3.Document,
  policy: readonly AccessRule[] = ACCESS_POLICY,
): OpenAPIV3.Document {
  const paths: OpenAPIV3.PathsObject = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!item) continue;
    const out: OpenAPIV3.PathItemObject = { ...item };
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const rule = findRule(method.toUpperCase(), fastifyPath(path), policy);
      const isPublic = !path.startsWith('/api') || rule?.allow === 'public';
      const responses: OpenAPIV3.ResponsesObject = { ...op.responses };
      const refusals = [
        ...(op.parameters?.length || op.requestBody ? ['400'] : []),
        ...(isPublic ? [] : ['401', '403']),
        ...(path.includes('{') ? ['404'] : []),
      ];
      for (const code of refusals) {
        responses[code] ??= {
          description: WHY[code] as string,
          content: { 'application/json': { schema: ERROR_BODY } },
        };
      }
      // Reports answer CSV too (?format=csv or Accept: text/csv).
      if (path.startsWith('/api/reports/')) {
        const ok = responses['200'] as OpenAPIV3.ResponseObject | undefined;
        if (ok)
          responses['200'] = {
            ...ok,
            content: { ...ok.content, 'text/csv': { schema: { type: 'string', description: 'the same rows as CSV' } } },
          };
      }
      out[method] = {
        ...op,
        operationId: op.operationId ?? operationIdFor(method, path),
        ...(isPublic ? { security: [] } : {}),
        responses,
      };
    }
    paths[path] = out;
  }
  return {
    ...doc,
    info: { ...doc.info, license: { name: 'MIT', url: 'https://opensource.org/license/mit' } },
    servers: doc.servers?.length ? doc.servers : [{ url: '/', description: 'this Skylt' }],
    paths,
  };
}
