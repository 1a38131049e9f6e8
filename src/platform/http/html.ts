// The chrome of every server-rendered HTML page (end-user pages, the OpenID Connect provider's pages): one layout
// in the console's look, the headers pages are sent with, and a message page. Every value is escaped.
export const esc = (s: string | null | undefined) =>
  (s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The headers every end-user HTML page is sent with (the sign-in pages and the OpenID Connect error pages). */
export const pageHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'self'; font-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer', // links carry tokens in their paths
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

export type Notice = { kind: 'error' | 'success' | 'info'; text: string };

// The look of the admin console (Cloudscape, visual refresh): every value is a design token of the installed
// @cloudscape-design/components (internal/base-theme/styles.scoped.css), so the pages and the console match.
// Custom properties carry the token's name where one token is meant; --color-primary(-hover) is the blue that
// Cloudscape's primary button, normal-button border, links and focus ring share. The top bar takes the tokens of
// Cloudscape's dark "top-navigation" context (container background, title, link and focus colours there).
// The pages' CSP allows no fonts, so "Open Sans" renders only where it is installed; the rest of the stack follows.
export const stylesheet = `
:root{color-scheme:light;
--font-family-base:"Open Sans","Helvetica Neue",Roboto,Arial,sans-serif;
--font-family-monospace:Monaco,Menlo,Consolas,"Courier Prime",Courier,"Courier New",monospace;
--color-text-body-default:#0f141a;--color-text-body-secondary:#424650;--color-background-layout-main:#ffffff;
--color-primary:#006ce0;--color-primary-hover:#002b66;--color-background-button-normal-hover:#f0fbff;--color-background-button-normal-active:#d1f1ff;
--color-border-input-default:#8c8c94;--color-border-divider-default:#c6c6cd;--color-border-divider-secondary:#ebebf0;
--shadow-container:0 0 1px 1px #e9ebed,0 1px 8px 2px rgba(0,7,22,.12);
--color-background-top-navigation:#161d26;--color-text-top-navigation-title:#f9f9fa;--color-text-top-navigation-link:#dedee3;
--color-border-top-navigation:#424650;--color-border-item-focused-top-navigation:#42b4ff}
*{box-sizing:border-box}
body{margin:0;font-family:var(--font-family-base);font-size:14px;line-height:20px;color:var(--color-text-body-default);background:var(--color-background-layout-main);-webkit-font-smoothing:antialiased}
:focus-visible{outline:2px solid var(--color-primary);outline-offset:2px}

header{display:flex;justify-content:space-between;align-items:stretch;min-height:56px;padding:0 12px 0 32px;background:var(--color-background-top-navigation);border-bottom:1px solid var(--color-border-top-navigation)}
header>span{align-self:center;color:var(--color-text-top-navigation-title);font-size:18px;line-height:22px;font-weight:700;letter-spacing:-.01em}
header nav{display:flex}
header nav a{position:relative;display:flex;align-items:center;padding:0 20px;color:var(--color-text-top-navigation-link);font-weight:700;letter-spacing:.005em;text-decoration:none}
header nav a:hover{color:var(--color-text-top-navigation-title)}
header nav a:focus-visible{outline-color:var(--color-border-item-focused-top-navigation);outline-offset:-6px;border-radius:8px}
header nav a:not(:last-child)::after{content:"";position:absolute;right:0;top:12px;bottom:12px;width:1px;background:var(--color-border-top-navigation)}

main{max-width:600px;margin:40px auto;padding:0 20px}
.card{background:#fff;border-radius:16px;box-shadow:var(--shadow-container);padding:20px;margin-bottom:20px}
.card>:last-child{margin-bottom:0}
h1{margin:0 0 16px;font-size:24px;line-height:30px;font-weight:700;letter-spacing:-.02em}
p{margin:0 0 12px}
small{font-size:12px;line-height:16px;color:var(--color-text-body-secondary)}
code{font-family:var(--font-family-monospace)}
a{color:var(--color-primary);text-decoration:underline}
a:hover{color:var(--color-primary-hover)}

label{display:block;margin:16px 0 4px;font-weight:700}
input[type=text],input[type=email],input[type=password],input[type=search]{display:block;width:100%;min-height:32px;padding:5px 12px;font:inherit;color:inherit;background:#fff;border:1px solid var(--color-border-input-default);border-radius:8px}
input:focus-visible{outline:2px dotted transparent;border-color:var(--color-primary);box-shadow:0 0 0 1px var(--color-primary)}

button,.social{display:inline-block;padding:4px 20px;font:inherit;font-weight:700;letter-spacing:.005em;border:2px solid var(--color-primary);border-radius:20px;cursor:pointer}
button{margin-top:20px;color:#fff;background:var(--color-primary)}
button:hover,button:active{background:var(--color-primary-hover);border-color:var(--color-primary-hover)}
button.secondary,.social{color:var(--color-primary);background:#fff}
button.secondary:hover,.social:hover{color:var(--color-primary-hover);background:var(--color-background-button-normal-hover);border-color:var(--color-primary-hover)}
button.secondary:active,.social:active{background:var(--color-background-button-normal-active)}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:20px}.actions button{margin-top:0}

.notice{display:flex;gap:8px;margin-bottom:16px;padding:8px 16px;border:2px solid var(--status);border-radius:12px;background:var(--status-background)}
.notice::before{flex:none;display:flex;align-items:center;justify-content:center;width:16px;height:16px;margin-top:2px;border:2px solid var(--status);border-radius:50%;color:var(--status);font-size:10px;line-height:1;font-weight:700}
.notice.error{--status:#db0000;--status-background:#fff5f5}.notice.error::before{content:"\\2715" / ""}
.notice.success{--status:#00802f;--status-background:#effff1}.notice.success::before{content:"\\2713" / ""}
.notice.info{--status:#006ce0;--status-background:#f0fbff}.notice.info::before{content:"i" / ""}

dl{display:grid;grid-template-columns:max-content 1fr;gap:12px 24px;margin:0}dt{font-weight:700}dd{margin:0}
.socials{margin-top:20px;padding-top:8px;border-top:1px solid var(--color-border-divider-secondary)}
.social{display:block;margin-top:12px;text-align:center;text-decoration:none}
.links{display:flex;flex-wrap:wrap;gap:8px 20px;margin-top:16px}
table{width:100%;border-collapse:collapse}
th,td{padding:8px 12px;text-align:left;border-bottom:1px solid var(--color-border-divider-secondary)}th:first-child,td:first-child{padding-left:0}
th{color:var(--color-text-body-secondary);font-weight:700;border-bottom-color:var(--color-border-divider-default)}

@media (max-width:688px){header{padding-left:20px}main{margin-top:20px}}
`;

export function layout(title: string, body: string, options: { notice?: Notice | undefined; signedIn?: boolean } = {}): string {
  const nav = options.signedIn
    ? '<nav><a href="/me">My profile</a><a href="/directory">Directory</a></nav>'
    : '<nav><a href="/signin">Sign in</a><a href="/register">Register</a></nav>';
  const notice = options.notice ? `<div class="notice ${options.notice.kind}" role="${options.notice.kind === 'error' ? 'alert' : 'status'}">${esc(options.notice.text)}</div>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light">
<title>${esc(title)} · Carillon</title><link rel="stylesheet" href="/assets/fonts.css"><link rel="stylesheet" href="/assets/site.css"></head>
<body><header><span>Carillon</span>${nav}</header><main>${notice}${body}</main></body></html>`;
}

export function messagePage(title: string, text: string, kind: Notice['kind'], links: Array<[string, string]> = [], signedIn = false) {
  const l = links.map(([href, label]) => `<a href="${esc(href)}">${esc(label)}</a>`).join('');
  return layout(title, `<div class="card"><h1>${esc(title)}</h1><div class="notice ${kind}">${esc(text)}</div><div class="links">${l}</div></div>`, { signedIn });
}
