// Server-rendered end-user pages: one layout, and one small function per page. Every value is escaped.
export const esc = (s: string | null | undefined) =>
  (s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export type Notice = { kind: 'error' | 'success' | 'info'; text: string };

export const stylesheet = `
*{box-sizing:border-box}body{margin:0;font-family:"Amazon Ember","Helvetica Neue",Roboto,Arial,sans-serif;background:#f2f3f3;color:#16191f}
header{background:#232f3e;color:#fff;padding:12px 24px;font-size:18px;font-weight:700;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:400;font-size:14px;margin-left:16px}
main{max-width:560px;margin:40px auto;padding:0 16px}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,28,36,.3);padding:24px 28px;margin-bottom:20px}
h1{font-size:24px;margin:0 0 16px}h2{font-size:18px;margin:0 0 12px}
label{display:block;font-weight:700;font-size:14px;margin:14px 0 4px}
input[type=text],input[type=email],input[type=password],input[type=search]{width:100%;padding:8px 10px;border:1px solid #879596;border-radius:4px;font-size:14px}
input:focus,button:focus,a:focus{outline:2px solid #0972d3;outline-offset:2px}
button{margin-top:18px;background:#ff9900;border:1px solid #ec7211;color:#16191f;font-weight:700;padding:8px 20px;border-radius:20px;font-size:14px;cursor:pointer}
button.secondary{background:#fff;border-color:#16191f}
.notice{padding:10px 14px;border-radius:4px;margin-bottom:16px;font-size:14px;border-left:4px solid}
.error{background:#fff7f7;border-color:#d13212}.success{background:#f2fcf3;border-color:#1d8102}.info{background:#f1faff;border-color:#0972d3}
dl{display:grid;grid-template-columns:max-content 1fr;gap:8px 16px;font-size:14px}dt{color:#545b64}dd{margin:0}
.socials{margin-top:18px;border-top:1px solid #eaeded;padding-top:12px}.social{display:block;text-align:center;border:1px solid #16191f;border-radius:20px;padding:8px;margin-top:8px;color:#16191f;text-decoration:none;font-weight:700;font-size:14px}
.links{font-size:14px;margin-top:16px}.links a{color:#0972d3;margin-right:16px}
table{width:100%;border-collapse:collapse;font-size:14px}th,td{text-align:left;padding:6px 4px;border-bottom:1px solid #eaeded}
`;

export function layout(title: string, body: string, options: { notice?: Notice | undefined; signedIn?: boolean } = {}): string {
  const nav = options.signedIn
    ? '<nav><a href="/me">My profile</a><a href="/directory">Directory</a></nav>'
    : '<nav><a href="/signin">Sign in</a><a href="/register">Register</a></nav>';
  const notice = options.notice ? `<div class="notice ${options.notice.kind}" role="${options.notice.kind === 'error' ? 'alert' : 'status'}">${esc(options.notice.text)}</div>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Carillon</title><link rel="stylesheet" href="/assets/site.css"></head>
<body><header><span>Carillon</span>${nav}</header><main>${notice}${body}</main></body></html>`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${esc(value)}">`;
const field = (name: string, label: string, type: string, extra = '') =>
  `<label for="${name}">${esc(label)}</label><input id="${name}" name="${name}" type="${type}" ${extra}>`;

export function signInPage(p: { csrf: string; returnTo: string; email?: string; notice?: Notice; social?: Array<{ id: string; label: string }> }) {
  const social = (p.social ?? [])
    .map((s) => `<a class="social" href="/signin/social/${esc(s.id)}?return_to=${encodeURIComponent(p.returnTo)}">Continue with ${esc(s.label)}</a>`)
    .join('');
  return layout(
    'Sign in',
    `<div class="card"><h1>Sign in</h1><form method="post" action="/signin">${hidden('csrf', p.csrf)}${hidden('return_to', p.returnTo)}
${field('email', 'Email', 'email', `autocomplete="username" required value="${esc(p.email)}"`)}
${field('password', 'Password', 'password', 'autocomplete="current-password" required')}
<button type="submit">Sign in</button></form>${social ? `<div class="socials">${social}</div>` : ''}
<div class="links"><a href="/password/forgot">Forgot your password?</a><a href="/register">Create an identity</a></div></div>`,
    { notice: p.notice },
  );
}

export function registerPage(p: { csrf: string; email?: string; name?: string; notice?: Notice }) {
  return layout(
    'Register',
    `<div class="card"><h1>Create your Carillon identity</h1><p>You get Pro for 30 days, then Basic, free. Joining your organization's account gives you its license.</p>
<form method="post" action="/register">${hidden('csrf', p.csrf)}
${field('name', 'Full name', 'text', `autocomplete="name" value="${esc(p.name)}"`)}
${field('email', 'Email', 'email', `autocomplete="email" required value="${esc(p.email)}"`)}
${field('password', 'Password (at least 10 characters)', 'password', 'autocomplete="new-password" required minlength="10"')}
<button type="submit">Register</button></form></div>`,
    { notice: p.notice },
  );
}

export function messagePage(title: string, text: string, kind: Notice['kind'], links: Array<[string, string]> = [], signedIn = false) {
  const l = links.map(([href, label]) => `<a href="${esc(href)}">${esc(label)}</a>`).join('');
  return layout(title, `<div class="card"><h1>${esc(title)}</h1><div class="notice ${kind}">${esc(text)}</div><div class="links">${l}</div></div>`, { signedIn });
}

export function forgotPage(p: { csrf: string; notice?: Notice }) {
  return layout(
    'Reset your password',
    `<div class="card"><h1>Reset your password</h1><form method="post" action="/password/forgot">${hidden('csrf', p.csrf)}
${field('email', 'Email', 'email', 'autocomplete="email" required')}<button type="submit">Send a reset link</button></form></div>`,
    { notice: p.notice },
  );
}

export function resetPage(p: { csrf: string; token: string; notice?: Notice }) {
  return layout(
    'Choose a new password',
    `<div class="card"><h1>Choose a new password</h1><form method="post" action="/password/reset/${esc(p.token)}">${hidden('csrf', p.csrf)}
${field('password', 'New password (at least 10 characters)', 'password', 'autocomplete="new-password" required minlength="10"')}<button type="submit">Save password</button></form></div>`,
    { notice: p.notice },
  );
}

export function invitationPage(p: { csrf: string; token: string; accountName: string; email: string; mode: 'accept' | 'register' | 'signin' | 'other-identity'; signedIn: boolean; notice?: Notice }) {
  const intro = `<p>You are invited to join <strong>${esc(p.accountName)}</strong> as <strong>${esc(p.email)}</strong>.</p>`;
  const action = {
    accept: `<form method="post" action="/invitations/${esc(p.token)}/accept">${hidden('csrf', p.csrf)}<button type="submit">Accept invitation</button></form>`,
    register: `<form method="post" action="/invitations/${esc(p.token)}/register">${hidden('csrf', p.csrf)}
${field('name', 'Full name', 'text', 'autocomplete="name"')}
${field('password', 'Choose a password (at least 10 characters)', 'password', 'autocomplete="new-password" required minlength="10"')}
<button type="submit">Accept and create my identity</button></form>`,
    signin: `<p>You already have a Carillon identity with this email.</p><div class="links"><a href="/signin?return_to=${encodeURIComponent(`/invitations/${p.token}`)}">Sign in to accept</a></div>`,
    'other-identity': `<p>You are signed in with another email. Sign out, then sign in as ${esc(p.email)} to accept.</p><form method="post" action="/signout">${hidden('csrf', p.csrf)}${hidden('return_to', `/invitations/${p.token}`)}<button type="submit" class="secondary">Sign out</button></form>`,
  }[p.mode];
  return layout('Invitation', `<div class="card"><h1>Join ${esc(p.accountName)}</h1>${intro}${action}</div>`, { notice: p.notice, signedIn: p.signedIn });
}

export function profilePage(p: {
  csrf: string;
  email: string;
  name: string | null;
  accountName: string | undefined;
  accountType: string | undefined;
  license: string;
  trialEnds: string | null;
  pin: string | null;
  activeSessions: number;
  notice?: Notice;
}) {
  const rows: Array<[string, string]> = [
    ['Name', p.name ?? '—'],
    ['Email', p.email],
    ['Account', p.accountName ? `${p.accountName} (${p.accountType})` : 'None (unmanaged)'],
    ['License', p.license + (p.trialEnds ? ` — Pro trial until ${p.trialEnds.slice(0, 10)}` : '')],
    ['Personal meeting PIN', p.pin ?? '—'],
    ['Signed-in sessions', String(p.activeSessions)],
  ];
  return layout(
    'My profile',
    `<div class="card"><h1>My profile</h1><dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<form method="post" action="/signout" style="display:inline">${hidden('csrf', p.csrf)}<button type="submit" class="secondary">Sign out</button></form>
<form method="post" action="/me/signout-everywhere" style="display:inline;margin-left:8px">${hidden('csrf', p.csrf)}<button type="submit">Sign out everywhere</button></form></div>`,
    { notice: p.notice, signedIn: true },
  );
}

export function directoryPage(p: { query: string; results: Array<{ email: string; displayName: string | null }> | undefined; accountName: string }) {
  const results =
    p.results === undefined
      ? ''
      : p.results.length === 0
        ? '<p>No one in your account matches.</p>'
        : `<table><thead><tr><th>Name</th><th>Email</th></tr></thead><tbody>${p.results.map((r) => `<tr><td>${esc(r.displayName ?? '—')}</td><td>${esc(r.email)}</td></tr>`).join('')}</tbody></table>`;
  return layout(
    'Directory',
    `<div class="card"><h1>Directory of ${esc(p.accountName)}</h1><form method="get" action="/directory"><label for="q">Name or email begins with</label>
<input id="q" name="q" type="search" value="${esc(p.query)}" autofocus><button type="submit">Search</button></form></div>${p.results === undefined ? '' : `<div class="card">${results}</div>`}`,
    { signedIn: true },
  );
}
