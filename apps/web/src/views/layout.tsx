/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import type { GatewayFailure } from '../gateway-client.ts';

export interface LayoutProps {
  readonly title: string;
  readonly identity?: string | undefined;
  readonly children?: Child;
}

/** The page shell: skip link, landmark regions, one h1 per page; works without the script. */
export function Layout({ title, identity, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · homelab notes`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <nav aria-label="Main">
            <a href="/notes">Notes</a>
            <a href="/status">Status</a>
            <a href="/deploys">Deploys</a>
            {identity ? (
              <form method="post" action="/signout" class="inline">
                <span>
                  Signed in as <strong data-testid="identity">{identity}</strong>
                </span>{' '}
                <button type="submit">Sign out</button>
              </form>
            ) : (
              <a href="/signin">Sign in</a>
            )}
          </nav>
        </header>
        <main id="main">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A failure from the gateway as a message a person can act on; `role="alert"` so screen readers announce it. */
export function FailureMessage({ failure }: { failure: GatewayFailure }) {
  if (failure.kind === 'unavailable' && failure.outcome === 'unknown') {
    // The write went out and no answer came: saying "nothing was changed" would invite a duplicate.
    return (
      <div class="error" role="alert">
        <strong>The notes service did not confirm your change.</strong> {failure.detail}. It may have been saved: check
        your notes before trying again.
      </div>
    );
  }
  if (failure.kind === 'unavailable') {
    return (
      <div class="error" role="alert">
        <strong>The notes service is unreachable right now.</strong> {failure.detail}. Nothing was changed; try again in
        a moment.
      </div>
    );
  }
  if (failure.kind === 'rate-limited') {
    return (
      <div class="error" role="alert">
        <strong>Too many requests.</strong> Wait {failure.retryAfterSeconds} s and try again.
      </div>
    );
  }
  return (
    <div class="error" role="alert">
      <strong>{failure.title}.</strong> {failure.detail}
      {failure.errors && failure.errors.length > 0 ? (
        <ul>
          {failure.errors.map((e) => (
            <li>
              {e.path ? `${e.path}: ` : ''}
              {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
