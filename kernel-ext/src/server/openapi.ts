/**
 * The OpenAPI 3.1 document of the REST API, built from the route table of api-schema.ts,
 * and the route that serves it. docs/openapi.json is this document
 * (kernel-ext/scripts/openapi.js writes and checks it).
 */
import type { FastifyInstance } from 'fastify';
import { SEQ_HEADER } from '../protocol/events';
import { API_ROUTES, API_SCHEMAS, errorSchema, type ApiRoute, type Schema } from './api-schema';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (malformed JSON, a bad parameter, a preflight that failed)',
  401: 'Missing or invalid token',
  403: 'Not allowed with this token (a job token where a user token is needed)',
  404: 'No such record, or not visible to this user',
  409: 'Not possible in the record’s current state',
  413: 'Request body larger than the server accepts',
  414: 'A path parameter longer than the router accepts',
  429: 'Rate limited',
  507: 'The data dir is full; the write did not happen',
};

const JSON_TYPE = 'application/json';

function errorStatuses(r: ApiRoute): number[] {
  const all = new Set([...(r.errors ?? []), 401, 429]);
  // Fastify parses a body on every POST and PATCH, declared or not (index.ts).
  if (r.method !== 'GET') [400, 413, 507].forEach(s => all.add(s));
  // The router refuses a path parameter it cannot decode (400) or that is too long (414).
  if (r.params) [400, 414].forEach(s => all.add(s));
  return [...all].sort((a, b) => a - b);
}

function responseName(status: number): string {
  return `Error${status}`;
}

function errorResponse(name: string): Schema {
  const status = Number(/\d+/.exec(name)![0]);
  return {
    description: ERROR_DESCRIPTIONS[status],
    content: { [JSON_TYPE]: { schema: errorSchema(status) } },
  };
}

function operation(r: ApiRoute): Schema {
  const parameters = [
    ...Object.entries(r.params ?? {}).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema,
    })),
    ...Object.entries(r.querystring ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema,
    })),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, res] of Object.entries(r.responses)) {
    responses[status] = {
      description: res.description,
      ...(res.seq
        ? {
            headers: {
              [SEQ_HEADER]: {
                description: 'The newest event seq the answer reflects',
                schema: { type: 'string', pattern: '^[0-9]+$' },
              },
            },
          }
        : {}),
      content: { [JSON_TYPE]: { schema: res.schema } },
    };
  }
  for (const s of errorStatuses(r))
    responses[s] = { $ref: `#/components/responses/${responseName(s)}` };
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(r.body
      ? {
          requestBody: {
            required: r.body.required,
            content: { [JSON_TYPE]: { schema: r.body.schema } },
          },
        }
      : {}),
    responses,
  };
}

/** `/api/v1/jobs/:id` → `/api/v1/jobs/{id}` */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

export function buildOpenApi(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const r of API_ROUTES) {
    const p = openApiPath(r.url);
    paths[p] = { ...paths[p], [r.method.toLowerCase()]: operation(r) };
  }
  const names = new Set(API_ROUTES.flatMap(r => errorStatuses(r).map(s => responseName(s))));
  const responses = Object.fromEntries([...names].sort().map(n => [n, errorResponse(n)]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bulkrun REST API',
      version,
      description:
        'The Bulkrun server’s REST API (docs/SEMANTICS.md for the rules). Behind Jupyter it is ' +
        'under /bulkrun/. Events stream over the WebSocket /api/v1/events, which this ' +
        'document does not describe.',
    },
    security: [{ token: [] }, { tokenQuery: [] }],
    paths,
    components: {
      schemas: API_SCHEMAS,
      responses,
      securitySchemes: {
        token: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: '`token <T>` (or `Bearer <T>`)',
        },
        tokenQuery: { type: 'apiKey', in: 'query', name: 'token' },
      },
    },
  };
}

/** GET /api/v1/openapi.json; behind the token like every other /api/v1 route (index.ts). */
export function registerOpenApi(app: FastifyInstance, version: string): void {
  const doc = buildOpenApi(version);
  app.get('/api/v1/openapi.json', async () => doc);
}
