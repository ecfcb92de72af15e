import type { SqlClient } from '../storage/sql-client.ts';

export interface Note {
  id: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

interface NoteRow {
  id: string;
  title: string;
  body: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const columns = 'id, title, body, created_at, updated_at, version';
const toNote = (row: NoteRow): Note => ({
  id: row.id,
  title: row.title,
  body: row.body,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  version: row.version,
});

/** A position in an owner's newest-first list: the last note of the previous page. */
export interface Cursor {
  readonly createdAt: string;
  readonly id: string;
}

export class QuotaExceededError extends Error {}

/** SQL for notes. Every statement filters by owner: another user's note does not exist for the caller. */
export function createNotesRepository(db: SqlClient, { maxNotesPerOwner }: { maxNotesPerOwner: number }) {
  return {
    async get(owner: string, id: string): Promise<Note | undefined> {
      const { rows } = await db.query<NoteRow>(`SELECT ${columns} FROM notes WHERE id = $1 AND owner = $2`, [
        id,
        owner,
      ]);
      return rows[0] ? toNote(rows[0]) : undefined;
    },

    /** Keyset pagination on (created_at, id) descending; returns one extra row to tell whether a next page exists. */
    async list(owner: string, limit: number, after?: Cursor): Promise<{ notes: Note[]; next?: Cursor }> {
      const { rows } = after
        ? await db.query<NoteRow>(
            `SELECT ${columns} FROM notes WHERE owner = $1 AND (created_at, id) < ($2::timestamptz, $3::uuid)
             ORDER BY created_at DESC, id DESC LIMIT $4`,
            [owner, after.createdAt, after.id, limit + 1],
          )
        : await db.query<NoteRow>(
            `SELECT ${columns} FROM notes WHERE owner = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
            [owner, limit + 1],
          );
      const notes = rows.slice(0, limit).map(toNote);
      const last = notes.at(-1);
      return rows.length > limit && last ? { notes, next: { createdAt: last.createdAt, id: last.id } } : { notes };
    },

    /**
     * Insert and quota count in one transaction: the counter row lock serialises concurrent creates by one owner,
     * so the quota holds exactly.
     */
    async create(owner: string, id: string, input: { title: string; body: string }, now: Date): Promise<Note> {
      return db.transaction(async (tx) => {
        const counted = await tx.query<{ note_count: number }>(
          `INSERT INTO note_owners (owner, note_count) VALUES ($1, 1)
           ON CONFLICT (owner) DO UPDATE SET note_count = note_owners.note_count + 1
           RETURNING note_count`,
          [owner],
        );
        if ((counted.rows[0]?.note_count ?? 0) > maxNotesPerOwner) throw new QuotaExceededError();
        const { rows } = await tx.query<NoteRow>(
          `INSERT INTO notes (id, owner, title, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
           RETURNING ${columns}`,
          [id, owner, input.title, input.body, now],
        );
        return toNote(rows[0] as NoteRow);
      });
    },

    /** Single-statement conditional update; `expectedVersion` implements If-Match. */
    async update(
      owner: string,
      id: string,
      patch: { title?: string | undefined; body?: string | undefined },
      now: Date,
      expectedVersion?: number,
    ): Promise<Note | 'missing' | 'conflict'> {
      const { rows } = await db.query<NoteRow>(
        `UPDATE notes SET title = COALESCE($3, title), body = COALESCE($4, body), updated_at = $5,
           version = version + 1
         WHERE id = $1 AND owner = $2 AND ($6::int IS NULL OR version = $6::int)
         RETURNING ${columns}`,
        [id, owner, patch.title ?? null, patch.body ?? null, now, expectedVersion ?? null],
      );
      if (rows[0]) return toNote(rows[0]);
      if (expectedVersion === undefined) return 'missing';
      return (await this.get(owner, id)) ? 'conflict' : 'missing';
    },

    /** Delete and quota count in one transaction. */
    async delete(owner: string, id: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        const { rowCount } = await tx.query('DELETE FROM notes WHERE id = $1 AND owner = $2', [id, owner]);
        if (rowCount === 0) return false;
        await tx.query('UPDATE note_owners SET note_count = note_count - 1 WHERE owner = $1', [owner]);
        return true;
      });
    },
  };
}

export type NotesRepository = ReturnType<typeof createNotesRepository>;
