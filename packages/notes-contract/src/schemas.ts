import { http } from '@homelab/platform';
import { z } from '@hono/zod-openapi';

/** Limits on what one note may hold; bodies above the platform body limit are refused earlier with 413. */
export const noteLimits = { titleMax: 200, bodyMax: 20_000, pageDefault: 20, pageMax: 100 } as const;

/**
 * C0 and C1 control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in text (a
 * 500 before this check), and the others have no business in a note: they forge log lines and terminal output.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * The one contract for every text field the API stores: no control characters (tab, LF and CR excepted) and no
 * lone UTF-16 surrogates (JSON can spell `"\ud800"`, which no UTF-8 column can hold). Refused with a 400 naming
 * the field rather than stripped, so what the client reads back is exactly what it sent.
 */
export const storableText = () =>
  z
    .string()
    // The same contract in the published schema, so contract testers generate only what the API accepts.
    .openapi({ pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$' })
    .refine((s) => !controlCharacters.test(s), 'must not contain control characters (other than tab, CR and LF)')
    .refine((s) => s.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)');

export const NoteSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    body: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.int().min(1).openapi({ description: 'Increments on every change; send it as If-Match to PATCH safely' }),
  })
  .openapi('Note');

/** Strict objects: an unknown field is a client bug (or a typo that would silently be dropped): 400. */
export const CreateNoteSchema = z
  .strictObject({
    title: storableText().trim().min(1).max(noteLimits.titleMax),
    body: storableText().max(noteLimits.bodyMax).default(''),
  })
  .openapi('CreateNote');

export const PatchNoteSchema = z
  .strictObject({
    title: storableText().trim().min(1).max(noteLimits.titleMax).optional(),
    body: storableText().max(noteLimits.bodyMax).optional(),
  })
  .refine((patch) => patch.title !== undefined || patch.body !== undefined, 'give title or body')
  .openapi('PatchNote', { minProperties: 1 });

export const NoteIdParams = z.strictObject({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
});

export const ListQuery = z.strictObject({
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'nextCursor of the previous page' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(noteLimits.pageDefault)
    // Capped rather than refused: asking for more than a page is not an error, the client just gets a page.
    .transform((n) => Math.min(n, noteLimits.pageMax))
    .openapi({
      param: { name: 'limit', in: 'query' },
      type: 'integer',
      minimum: 1,
      description: `at most ${noteLimits.pageMax} (larger values are capped)`,
    }),
});

export const NotePageSchema = z
  .object({ notes: z.array(NoteSchema), nextCursor: z.string().nullable() })
  .openapi('NotePage');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string(),
    requestId: z.string().optional(),
  })
  .openapi('Problem');

/** The gateway's 502 and 504: whether the request reached the API (ADR 0120). */
export const UpstreamFailureSchema = ProblemSchema.extend({
  outcome: z
    .enum([http.upstreamOutcome.notApplied, http.upstreamOutcome.unknown])
    .describe('not-applied: never sent, safe to resend; unknown: sent without an answer, it may have been applied'),
  retryable: z.boolean().describe('Whether the same request may be sent again as it is'),
}).openapi('UpstreamFailure');
