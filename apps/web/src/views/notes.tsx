/** @jsxImportSource hono/jsx */
import type { GatewayFailure, Note } from '../gateway-client.ts';
import { FailureMessage, Layout } from './layout.tsx';

export interface NoteFormValues {
  readonly title: string;
  readonly body: string;
}

function NoteFields({ values, idPrefix }: { values: NoteFormValues; idPrefix: string }) {
  return (
    <>
      <label for={`${idPrefix}-title`}>Title</label>
      <input id={`${idPrefix}-title`} name="title" required maxlength={200} value={values.title} />
      <label for={`${idPrefix}-body`}>Text</label>
      <textarea id={`${idPrefix}-body`} name="body" rows={4} maxlength={20000}>
        {values.body}
      </textarea>
    </>
  );
}

export interface NotesPageProps {
  readonly identity: string;
  readonly notes: readonly Note[];
  readonly nextCursor: string | null;
  readonly failure?: GatewayFailure | undefined;
  readonly form?: NoteFormValues;
  readonly flash?: string | undefined;
}

export function NotesPage({ identity, notes, nextCursor, failure, form, flash }: NotesPageProps) {
  return (
    <Layout title="Your notes" identity={identity}>
      {flash ? (
        <p class="flash" role="status">
          {flash}
        </p>
      ) : null}
      {failure ? <FailureMessage failure={failure} /> : null}
      <section aria-labelledby="new-note">
        <h2 id="new-note">New note</h2>
        <form method="post" action="/notes" class="note-form">
          <NoteFields values={form ?? { title: '', body: '' }} idPrefix="new" />
          <button type="submit">Create note</button>
        </form>
      </section>
      <section aria-labelledby="list">
        <h2 id="list">Notes</h2>
        {notes.length === 0 && !failure ? <p>No notes yet.</p> : null}
        <ul class="notes" data-testid="notes">
          {notes.map((note) => (
            <li>
              <article aria-labelledby={`note-${note.id}`}>
                <h3 id={`note-${note.id}`}>{note.title}</h3>
                <p class="body">{note.body}</p>
                <p class="meta">
                  <time datetime={note.updatedAt}>{new Date(note.updatedAt).toUTCString()}</time>
                </p>
                <a href={`/notes/${note.id}/edit`} aria-label={`Edit “${note.title}”`}>
                  Edit
                </a>{' '}
                <form method="post" action={`/notes/${note.id}/delete`} class="inline" data-confirm="Delete this note?">
                  <button type="submit" aria-label={`Delete “${note.title}”`}>
                    Delete
                  </button>
                </form>
              </article>
            </li>
          ))}
        </ul>
        {nextCursor ? <a href={`/notes?cursor=${encodeURIComponent(nextCursor)}`}>Older notes</a> : null}
      </section>
    </Layout>
  );
}

export function EditNotePage({
  identity,
  note,
  values,
  failure,
}: {
  identity: string;
  note: Note;
  values?: NoteFormValues;
  failure?: GatewayFailure | undefined;
}) {
  return (
    <Layout title={`Edit “${note.title}”`} identity={identity}>
      {failure ? <FailureMessage failure={failure} /> : null}
      <form method="post" action={`/notes/${note.id}/edit`} class="note-form">
        <input type="hidden" name="version" value={String(note.version)} />
        <NoteFields values={values ?? note} idPrefix="edit" />
        <button type="submit">Save changes</button> <a href="/notes">Cancel</a>
      </form>
    </Layout>
  );
}

export function MessagePage({
  title,
  identity,
  failure,
}: {
  title: string;
  identity?: string;
  failure: GatewayFailure;
}) {
  return (
    <Layout title={title} identity={identity}>
      <FailureMessage failure={failure} />
      <p>
        <a href="/notes">Back to your notes</a>
      </p>
    </Layout>
  );
}

export function SignInPage({
  error,
  username,
  configured = true,
}: {
  error?: string | undefined;
  username?: string | undefined;
  configured?: boolean;
}) {
  return (
    <Layout title="Sign in">
      {configured ? null : (
        <div class="error" role="alert">
          No users are configured (WEB_USERS), so nobody can sign in. The status page works without signing in.
        </div>
      )}
      <p>
        Sign in with your user name and password. Each user sees only their own notes. Locally the user is{' '}
        <code>demo</code> (the same identity as the demo API key), with a random password generated on the first{' '}
        <code>npm start</code>: <code>npm run homelab -- credentials</code> or the file <code>.data/credentials</code>{' '}
        shows it.
      </p>
      {error ? (
        <div class="error" role="alert">
          {error}
        </div>
      ) : null}
      <form method="post" action="/signin">
        <label for="username">User name</label>
        <input id="username" name="username" required autocomplete="username" value={username ?? ''} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" required autocomplete="current-password" />
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
