import { auth, http } from '@homelab/platform';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  CreateNoteSchema,
  ListQuery,
  NoteIdParams,
  NotePageSchema,
  NoteSchema,
  PatchNoteSchema,
  ProblemSchema,
  UpstreamFailureSchema,
} from './schemas.ts';

/**
 * The notes API's contract, written once and published at two doors: the API itself (callers present the
 * gateway's identity token) and the gateway, the public door (callers present an API key or a bearer JWT, and the
 * gateway adds its own answers: 429, 502, 504, and 503 from its breaker). The API's handlers are typed from these
 * same route objects, so the document cannot drift from what the code validates.
 */
const json = 'application/json';
const problemContent = { 'application/problem+json': { schema: ProblemSchema } };
const problem = (description: string) => ({ description, content: problemContent });
const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' as const, minimum: 1 } },
};

const problems = {
  400: problem('Invalid request (unknown fields, bad values, control characters, a cursor this API did not issue)'),
  401: problem('No valid credentials'),
  503: {
    ...problem('Temporarily unavailable (database down, or the gateway breaker open); retry'),
    headers: retryAfter,
  },
} as const;
const bodyProblems = {
  408: problem('The request body did not arrive in time (slow, unterminated or endless)'),
  413: problem(`The request body is larger than ${http.maxBodyBytes} bytes`),
} as const;
const notFound = { 404: problem('No such note for this user') } as const;

export const getNote = createRoute({
  method: 'get',
  path: '/v1/notes/{id}',
  summary: 'Read one of your notes',
  request: { params: NoteIdParams },
  responses: {
    200: { description: 'The note', content: { [json]: { schema: NoteSchema } } },
    ...notFound,
    ...problems,
  },
});
export const listNotes = createRoute({
  method: 'get',
  path: '/v1/notes',
  summary: 'List your notes, newest first (keyset pagination)',
  request: { query: ListQuery },
  responses: { 200: { description: 'A page', content: { [json]: { schema: NotePageSchema } } }, ...problems },
});
export const createNote = createRoute({
  method: 'post',
  path: '/v1/notes',
  summary: 'Create a note',
  request: { body: { required: true, content: { [json]: { schema: CreateNoteSchema } } } },
  responses: {
    201: { description: 'Created', content: { [json]: { schema: NoteSchema } } },
    409: problem('Note quota reached'),
    ...bodyProblems,
    ...problems,
  },
});
export const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({
      // Required in the document; optional in the validator so that a missing header is the 428 the handler
      // answers (RFC 6585), not a generic 400.
      param: { name: 'if-match', in: 'header', required: true },
      description: 'Required: the version you read ("3"), or * to overwrite any version. Without it: 428.',
      pattern: '^ *(\\*|(W/)?"?[0-9]{1,9}"?) *$',
      example: '"1"',
    }),
});
export const patchNote = createRoute({
  method: 'patch',
  path: '/v1/notes/{id}',
  summary: 'Change the title or body; If-Match: "<version>" refuses lost updates',
  request: {
    params: NoteIdParams,
    headers: IfMatchHeaders,
    body: { required: true, content: { [json]: { schema: PatchNoteSchema } } },
  },
  responses: {
    200: { description: 'Updated', content: { [json]: { schema: NoteSchema } } },
    412: problem('The note changed since the version in If-Match'),
    428: problem('If-Match is missing'),
    ...notFound,
    ...bodyProblems,
    ...problems,
  },
});
export const deleteNote = createRoute({
  method: 'delete',
  path: '/v1/notes/{id}',
  summary: 'Delete a note',
  request: { params: NoteIdParams },
  responses: { 204: { description: 'Deleted' }, ...notFound, ...problems },
});

export const notesRoutesContract = [getNote, listNotes, createNote, patchNote, deleteNote] as const;

export type Door = 'api' | 'gateway';

/** Answers only the gateway gives, added to every operation of the public document. */
const gatewayProblems = {
  429: {
    ...problem('Rate limited: too many requests for this identity'),
    headers: {
      ...retryAfter,
      'RateLimit-Limit': { description: 'Requests allowed in a burst', schema: { type: 'integer' as const } },
      'RateLimit-Remaining': { description: 'Requests left in the burst', schema: { type: 'integer' as const } },
      'RateLimit-Reset': { description: 'Seconds until the burst is full again', schema: { type: 'integer' as const } },
    },
  },
  502: {
    description: 'The notes API is unreachable (outcome not-applied) or broke off after the request (outcome unknown)',
    content: { 'application/problem+json': { schema: UpstreamFailureSchema } },
  },
  504: {
    description: 'The notes API did not answer in time (outcome unknown: the request may have been applied)',
    content: { 'application/problem+json': { schema: UpstreamFailureSchema } },
  },
};

/**
 * The OpenAPI 3.1 document of one door: the same operations, that door's security scheme, and (at the gateway)
 * the gateway's own answers.
 */
export function notesOpenApiDocument(door: Door) {
  const doc = new OpenAPIHono();
  const registry = doc.openAPIRegistry;
  const schemes =
    door === 'api'
      ? [
          registry.registerComponent('securitySchemes', 'identityToken', {
            type: 'apiKey',
            in: 'header',
            name: http.identityHeader,
            description: 'The short-lived token the gateway signs for the identity it authenticated (ADR 0071)',
          }),
        ]
      : [
          registry.registerComponent('securitySchemes', 'apiKey', {
            type: 'apiKey',
            in: 'header',
            name: auth.apiKeyHeader,
          }),
          registry.registerComponent('securitySchemes', 'bearer', {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
          }),
        ];
  const security = schemes.map((s) => ({ [s.name]: [] }));
  for (const route of notesRoutesContract) {
    registry.registerPath({
      ...route,
      security,
      responses: door === 'gateway' ? { ...route.responses, ...gatewayProblems } : route.responses,
    });
  }
  return doc.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'homelab notes API',
      version: '1',
      description:
        door === 'api'
          ? `The notes API behind the gateway: every /v1 route requires the ${http.identityHeader} token the gateway signs.`
          : `The public door: send an ${auth.apiKeyHeader} header or Authorization: Bearer <JWT>.`,
    },
  });
}
