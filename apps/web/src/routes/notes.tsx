/** @jsxImportSource hono/jsx */
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import type { GatewayClient, GatewayFailure, Trace } from '../gateway-client.ts';
import type { Sessions } from '../session.ts';
import { markSynthetic } from '../synthetic.ts';
import type { UserDirectory } from '../users.ts';
import { EditNotePage, MessagePage, NotesPage, SignInPage } from '../views/notes.tsx';

export interface NotesRoutesOptions {
  readonly gateway: GatewayClient;
  readonly sessions: Sessions;
  readonly users: UserDirectory;
  /** The identity whose tagged page reads are the canary gate's synthetic load (ADR 0130). */
  readonly syntheticIdentity: string;
}

/** The peer address (the proxy's, behind one); app.request() in tests has none. */
const clientAddress = (c: Context): string => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

/** One message for every failure: it must not tell whether the name exists. */
const signInFailed = 'Wrong user name or password.';

const trace = (c: Context): Trace => ({ requestId: c.get('requestId'), traceparent: c.get('traceparent') });

/** The HTTP status a page shows for a gateway failure: the user's browser should see what went wrong. */
const statusOf = (failure: GatewayFailure): 400 | 404 | 409 | 412 | 429 | 503 | 500 => {
  if (failure.kind === 'unavailable') return 503;
  if (failure.kind === 'rate-limited') return 429;
  if (failure.status === 400 || failure.status === 404 || failure.status === 412 || failure.status === 409) {
    return failure.status;
  }
  return 500;
};

const withRetryAfter = (c: Context, failure: GatewayFailure) => {
  if (failure.kind === 'rate-limited') c.header('retry-after', String(failure.retryAfterSeconds));
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * Sign in, list, create, edit and delete notes with plain HTML forms and POST-redirect-GET, so every flow works
 * without JavaScript and a reload never re-submits.
 */
export function notesRoutes({ gateway, sessions, users, syntheticIdentity }: NotesRoutesOptions): Hono {
  const app = new Hono();

  app.get('/', async (c) => c.redirect((await sessions.identity(c)) ? '/notes' : '/signin', 303));
  app.get('/signin', (c) => c.html(<SignInPage configured={users.configured} />));
  app.post('/signin', async (c) => {
    const form = await c.req.parseBody();
    const name = text(form.username).slice(0, 256);
    const result = await users.signIn(name, text(form.password).slice(0, 1024), clientAddress(c));
    if (!result.ok && result.reason === 'locked') {
      c.header('retry-after', String(result.retryAfterSeconds));
      return c.html(
        <SignInPage error="Too many failed sign-ins. Try again later." username={name} configured={users.configured} />,
        429,
      );
    }
    if (!result.ok)
      return c.html(<SignInPage error={signInFailed} username={name} configured={users.configured} />, 401);
    // A new session (new random id) whatever cookie the browser brought: no session fixation.
    await sessions.signIn(c, result.user);
    return c.redirect('/notes', 303);
  });
  app.post('/signout', async (c) => {
    await sessions.signOut(c);
    return c.redirect('/signin', 303);
  });

  const signedIn = new Hono<{ Variables: { user: string } }>();
  signedIn.use(async (c, next) => {
    const identity = await sessions.identity(c);
    if (!identity) return c.redirect('/signin', 303);
    c.set('user', identity);
    markSynthetic(c, identity, syntheticIdentity);
    await next();
  });

  signedIn.get('/', async (c) => {
    const identity = c.get('user');
    const cursor = c.req.query('cursor');
    const flash = { created: 'Note created.', saved: 'Note saved.', deleted: 'Note deleted.' }[
      c.req.query('done') ?? ''
    ];
    const page = await gateway.list(identity, trace(c), cursor);
    if (!page.ok) {
      withRetryAfter(c, page);
      return c.html(<NotesPage identity={identity} notes={[]} nextCursor={null} failure={page} />, statusOf(page));
    }
    return c.html(
      <NotesPage identity={identity} notes={page.value.notes} nextCursor={page.value.nextCursor} flash={flash} />,
    );
  });

  signedIn.post('/', async (c) => {
    const identity = c.get('user');
    const form = await c.req.parseBody();
    const values = { title: text(form.title), body: text(form.body) };
    const created = await gateway.create(identity, trace(c), values);
    if (created.ok) return c.redirect('/notes?done=created', 303);
    withRetryAfter(c, created);
    const page = await gateway.list(identity, trace(c));
    return c.html(
      <NotesPage
        identity={identity}
        notes={page.ok ? page.value.notes : []}
        nextCursor={null}
        failure={created}
        form={values}
      />,
      statusOf(created),
    );
  });

  signedIn.get('/:id/edit', async (c) => {
    const identity = c.get('user');
    const note = await gateway.get(identity, trace(c), c.req.param('id'));
    if (!note.ok) {
      withRetryAfter(c, note);
      return c.html(<MessagePage title="Cannot edit this note" identity={identity} failure={note} />, statusOf(note));
    }
    return c.html(<EditNotePage identity={identity} note={note.value} />);
  });

  signedIn.post('/:id/edit', async (c) => {
    const identity = c.get('user');
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const values = { title: text(form.title), body: text(form.body) };
    const updated = await gateway.update(identity, trace(c), id, text(form.version), values);
    if (updated.ok) return c.redirect('/notes?done=saved', 303);
    withRetryAfter(c, updated);
    const current = await gateway.get(identity, trace(c), id);
    if (!current.ok) {
      return c.html(
        <MessagePage title="Cannot edit this note" identity={identity} failure={updated} />,
        statusOf(updated),
      );
    }
    const failure: GatewayFailure =
      updated.kind === 'problem' && updated.status === 412
        ? { ...updated, detail: 'Someone changed this note meanwhile: the form now shows their version.' }
        : updated;
    return c.html(
      <EditNotePage
        identity={identity}
        note={current.value}
        {...(updated.kind === 'problem' && updated.status === 412 ? {} : { values })}
        failure={failure}
      />,
      statusOf(updated),
    );
  });

  signedIn.post('/:id/delete', async (c) => {
    const identity = c.get('user');
    const removed = await gateway.remove(identity, trace(c), c.req.param('id'));
    if (removed.ok) return c.redirect('/notes?done=deleted', 303);
    withRetryAfter(c, removed);
    return c.html(
      <MessagePage title="Cannot delete this note" identity={identity} failure={removed} />,
      statusOf(removed),
    );
  });

  app.route('/notes', signedIn);
  return app;
}
