// The few HTML pages the OpenID Connect endpoints show a person in a browser (errors only: sign-in has its own).
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderOidcErrorPage(error: string, description?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in problem</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
<h1>We couldn't sign you in to the app</h1>
<p>${escapeHtml(description ?? 'The sign-in request was not valid.')}</p>
<p><small>Error: <code>${escapeHtml(error)}</code>. Go back to the app and start again.</small></p>
</body></html>`;
}
