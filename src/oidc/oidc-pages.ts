// The few HTML pages the OpenID Connect endpoints show a person in a browser (errors only: sign-in has its own).
// They use the end-user pages' layout so a person leaving an app sees the same Carillon as on /signin.
import { esc, layout } from '../platform/http/html.js';

export function renderOidcErrorPage(error: string, description?: string): string {
  return layout(
    'Sign-in problem',
    `<div class="card"><h1>We couldn't sign you in to the app</h1><div class="notice error">${esc(description ?? 'The sign-in request was not valid.')}</div>
<p><small>Error: <code>${esc(error)}</code>. Go back to the app and start again.</small></p></div>`,
  );
}
