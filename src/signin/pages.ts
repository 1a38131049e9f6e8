// The end-user pages: one small function per page, in the shared layout (platform/http/html.ts). Every value is escaped.
import { esc, layout, type Notice } from '../platform/http/html.js';

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${esc(value)}">`;
const field = (name: string, label: string, type: string, extra = '') =>
  `<label for="${name}">${esc(label)}</label><input id="${name}" name="${name}" type="${type}" ${extra}>`;

export type SocialButton = { id: string; label: string };

/**
 * The sign-in page. First it asks only for the email; the address decides the method (an account's directory or
 * identity provider, or Carillon's own password), and the second step asks for that method's secret.
 */
export function signInPage(p: { csrf: string; returnTo: string; email?: string | undefined; notice?: Notice | undefined; social?: SocialButton[]; secretLabel?: string | undefined }) {
  const social = (p.social ?? [])
    .map((s) => `<a class="social" href="/signin/social/${esc(s.id)}?return_to=${encodeURIComponent(p.returnTo)}">Continue with ${esc(s.label)}</a>`)
    .join('');
  const start = `/signin?return_to=${encodeURIComponent(p.returnTo)}`;
  const fields = p.secretLabel
    ? `${field('email', 'Email', 'email', `autocomplete="username" required readonly value="${esc(p.email)}"`)}
<p><small><a href="${esc(start)}">Use another email</a></small></p>
${field('password', p.secretLabel, 'password', 'autocomplete="current-password" required autofocus')}
<button type="submit">Sign in</button>`
    : `${field('email', 'Email', 'email', `autocomplete="username" required autofocus value="${esc(p.email)}"`)}
<button type="submit">Next</button>`;
  return layout(
    'Sign in',
    `<div class="card"><h1>Sign in</h1><form method="post" action="/signin">${hidden('csrf', p.csrf)}${hidden('return_to', p.returnTo)}
${fields}</form>${social ? `<div class="socials">${social}</div>` : ''}
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
${field('password', 'Password (at least 8 characters; a few words you will remember are best)', 'password', 'autocomplete="new-password" required minlength="8"')}
<button type="submit">Register</button></form></div>`,
    { notice: p.notice },
  );
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
${field('password', 'New password (at least 8 characters)', 'password', 'autocomplete="new-password" required minlength="8"')}<button type="submit">Save password</button></form></div>`,
    { notice: p.notice },
  );
}

export function invitationPage(p: { csrf: string; token: string; accountName: string; email: string; mode: 'accept' | 'register' | 'signin' | 'other-identity'; signedIn: boolean; notice?: Notice }) {
  const intro = `<p>You are invited to join <strong>${esc(p.accountName)}</strong> as <strong>${esc(p.email)}</strong>.</p>`;
  const action = {
    accept: `<form method="post" action="/invitations/${esc(p.token)}/accept">${hidden('csrf', p.csrf)}<button type="submit">Accept invitation</button></form>`,
    register: `<form method="post" action="/invitations/${esc(p.token)}/register">${hidden('csrf', p.csrf)}
${field('name', 'Full name', 'text', 'autocomplete="name"')}
${field('password', 'Choose a password (at least 8 characters)', 'password', 'autocomplete="new-password" required minlength="8"')}
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
<div class="actions"><form method="post" action="/signout">${hidden('csrf', p.csrf)}<button type="submit" class="secondary">Sign out</button></form>
<form method="post" action="/me/signout-everywhere">${hidden('csrf', p.csrf)}<button type="submit">Sign out everywhere</button></form></div></div>`,
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
