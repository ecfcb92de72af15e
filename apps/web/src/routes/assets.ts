import { Hono } from 'hono';

const css = `
:root { font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1b1b; background: #fafafa; }
body { max-width: 48rem; margin: 0 auto; padding: 0 1rem 3rem; }
header nav { display: flex; gap: 1rem; align-items: center; padding: 1rem 0; border-bottom: 1px solid #ccc; }
header nav form { margin-left: auto; }
a { color: #0b57d0; } a:focus, button:focus, input:focus, textarea:focus { outline: 3px solid #f5a623; outline-offset: 2px; }
.skip { position: absolute; left: -10000px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
label { display: block; margin-top: .75rem; font-weight: 600; }
input, textarea { width: 100%; box-sizing: border-box; padding: .4rem; font: inherit; }
button { margin-top: .75rem; padding: .4rem .9rem; font: inherit; cursor: pointer; }
form.inline { display: inline; } form.inline button { margin-top: 0; }
.notes { list-style: none; padding: 0; } .notes article { border: 1px solid #ddd; background: #fff; padding: .75rem; margin: .75rem 0; }
.notes h3 { margin: 0; } .body { white-space: pre-wrap; } .meta { color: #555; font-size: .85rem; }
.error { border-left: 4px solid #b3261e; background: #fdecea; padding: .75rem; margin: 1rem 0; }
.flash { border-left: 4px solid #146c2e; background: #e7f5ea; padding: .75rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .4rem; border-bottom: 1px solid #ddd; vertical-align: top; }
.budget-low td[data-testid="budget-left"] { color: #8a5300; font-weight: 600; }
.budget-spent td[data-testid="budget-left"] { color: #b3261e; font-weight: 700; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
`;

/** Progressive enhancement only: everything works without it (plain forms, POST-redirect-GET). */
const js = `
document.addEventListener('submit', (event) => {
  const form = event.target;
  const question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  // Disabled after the form data is built: a button disabled during the submit event drops its name=value.
  setTimeout(() => { for (const button of form.querySelectorAll('button[type=submit]')) button.disabled = true; });
});
`;

/** The stylesheet and script, from memory, cacheable for an hour. */
export const assetRoutes = new Hono()
  .get('/static/app.css', (c) =>
    c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  )
  .get('/static/app.js', (c) =>
    c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
