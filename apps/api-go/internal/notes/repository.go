// Package notes holds the notes API's storage (PostgreSQL through a pgx pool, the same SQL as the TypeScript
// repository) and its HTTP handlers.
package notes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/homelab/homelab/apps/api-go/internal/cursor"
	"github.com/homelab/homelab/apps/api-go/internal/jsonx"
)

// Note is one note as the API returns it.
type Note struct {
	ID        string
	Title     string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int32
}

// JSON is the response body, byte for byte what JSON.stringify(note) gives in the TypeScript API (the two share
// cache entries).
func (n Note) JSON() []byte {
	return jsonx.NewObject().String("id", n.ID).String("title", n.Title).String("body", n.Body).
		String("createdAt", isoTime(n.CreatedAt)).String("updatedAt", isoTime(n.UpdatedAt)).
		Int("version", int64(n.Version)).Bytes()
}

func isoTime(t time.Time) string { return t.UTC().Format(cursor.TimeLayout) }

// ErrQuotaExceeded: the owner has MAX_NOTES_PER_USER notes.
var ErrQuotaExceeded = errors.New("note quota reached")

// Update results besides a note.
var (
	ErrMissing  = errors.New("no such note")
	ErrConflict = errors.New("the note has a newer version")
)

// Repository is the notes SQL; every statement filters by owner.
type Repository struct {
	Pool             *pgxpool.Pool
	MaxNotesPerOwner int
}

const columns = "id::text, title, body, created_at, updated_at, version"

func scanNote(row pgx.Row) (Note, error) {
	var n Note
	err := row.Scan(&n.ID, &n.Title, &n.Body, &n.CreatedAt, &n.UpdatedAt, &n.Version)
	return n, err
}

// Get returns ErrMissing when the owner has no such note.
func (r *Repository) Get(ctx context.Context, owner, id string) (Note, error) {
	n, err := scanNote(r.Pool.QueryRow(ctx, "SELECT "+columns+" FROM notes WHERE id = $1 AND owner = $2", id, owner))
	if errors.Is(err, pgx.ErrNoRows) {
		return Note{}, ErrMissing
	}
	if err != nil {
		return Note{}, fmt.Errorf("get note: %w", err)
	}
	return n, nil
}

// List is keyset pagination on (created_at, id) descending; one extra row tells whether a next page exists.
func (r *Repository) List(ctx context.Context, owner string, limit int, after *cursor.Cursor) ([]Note, *cursor.Cursor, error) {
	var rows pgx.Rows
	var err error
	if after != nil {
		rows, err = r.Pool.Query(ctx, "SELECT "+columns+` FROM notes WHERE owner = $1 AND (created_at, id) < ($2::timestamptz, $3::uuid)
             ORDER BY created_at DESC, id DESC LIMIT $4`, owner, after.CreatedAt, after.ID, limit+1)
	} else {
		rows, err = r.Pool.Query(ctx, "SELECT "+columns+" FROM notes WHERE owner = $1 ORDER BY created_at DESC, id DESC LIMIT $2", owner, limit+1)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list notes: %w", err)
	}
	notes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Note, error) { return scanNote(row) })
	if err != nil {
		return nil, nil, fmt.Errorf("list notes: %w", err)
	}
	if len(notes) > limit {
		notes = notes[:limit]
		last := notes[len(notes)-1]
		return notes, &cursor.Cursor{CreatedAt: isoTime(last.CreatedAt), ID: last.ID}, nil
	}
	return notes, nil, nil
}

// Create inserts and counts the quota in one transaction: the counter row lock serialises one owner's creates.
func (r *Repository) Create(ctx context.Context, owner, id, title, body string, now time.Time) (Note, error) {
	var note Note
	err := pgx.BeginFunc(ctx, r.Pool, func(tx pgx.Tx) error {
		var count int
		if err := tx.QueryRow(ctx, `INSERT INTO note_owners (owner, note_count) VALUES ($1, 1)
           ON CONFLICT (owner) DO UPDATE SET note_count = note_owners.note_count + 1
           RETURNING note_count`, owner).Scan(&count); err != nil {
			return err
		}
		if count > r.MaxNotesPerOwner {
			return ErrQuotaExceeded
		}
		var err error
		note, err = scanNote(tx.QueryRow(ctx, `INSERT INTO notes (id, owner, title, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
           RETURNING `+columns, id, owner, title, body, now))
		return err
	})
	if errors.Is(err, ErrQuotaExceeded) {
		return Note{}, ErrQuotaExceeded
	}
	if err != nil {
		return Note{}, fmt.Errorf("create note: %w", err)
	}
	return note, nil
}

// Update is a single conditional statement; expected (If-Match) nil means any version.
func (r *Repository) Update(ctx context.Context, owner, id string, title, body *string, now time.Time, expected *int) (Note, error) {
	n, err := scanNote(r.Pool.QueryRow(ctx, `UPDATE notes SET title = COALESCE($3, title), body = COALESCE($4, body), updated_at = $5,
           version = version + 1
         WHERE id = $1 AND owner = $2 AND ($6::int IS NULL OR version = $6::int)
         RETURNING `+columns, id, owner, title, body, now, expected))
	if err == nil {
		return n, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Note{}, fmt.Errorf("update note: %w", err)
	}
	if expected == nil {
		return Note{}, ErrMissing
	}
	if _, err := r.Get(ctx, owner, id); err != nil {
		return Note{}, err
	}
	return Note{}, ErrConflict
}

// Delete removes the note and decrements the quota count in one transaction.
func (r *Repository) Delete(ctx context.Context, owner, id string) error {
	err := pgx.BeginFunc(ctx, r.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM notes WHERE id = $1 AND owner = $2", id, owner)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrMissing
		}
		_, err = tx.Exec(ctx, "UPDATE note_owners SET note_count = note_count - 1 WHERE owner = $1", owner)
		return err
	})
	if errors.Is(err, ErrMissing) {
		return ErrMissing
	}
	if err != nil {
		return fmt.Errorf("delete note: %w", err)
	}
	return nil
}
