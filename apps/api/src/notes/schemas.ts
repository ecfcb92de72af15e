import { z } from '@hono/zod-openapi';

/** Limits on what one note may hold; bodies above the platform body limit are refused earlier with 413. */
export const noteLimits = { titleMax: 200, bodyMax: 20_000, pageDefault: 20, pageMax: 100 } as const;

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
    title: z.string().trim().min(1).max(noteLimits.titleMax),
    body: z.string().max(noteLimits.bodyMax).default(''),
  })
  .openapi('CreateNote');

export const PatchNoteSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(noteLimits.titleMax).optional(),
    body: z.string().max(noteLimits.bodyMax).optional(),
  })
  .refine((patch) => patch.title !== undefined || patch.body !== undefined, 'give title or body')
  .openapi('PatchNote');

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
    .openapi({ param: { name: 'limit', in: 'query' }, type: 'integer', description: `at most ${noteLimits.pageMax}` }),
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
