-- Notes belong to the user the gateway authenticated (owner). Keyset pagination walks (owner, created_at, id)
-- newest first, so the index matches that order exactly.
CREATE TABLE notes (
  id uuid PRIMARY KEY,
  owner text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1
);

CREATE INDEX notes_owner_created_id ON notes (owner, created_at DESC, id DESC);

-- One row per owner keeps the per-user quota exact under concurrent creates (row lock on the counter).
CREATE TABLE note_owners (
  owner text PRIMARY KEY,
  note_count integer NOT NULL CHECK (note_count >= 0)
);
