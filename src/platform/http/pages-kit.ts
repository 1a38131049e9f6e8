// What the pages surface (src/surfaces/pages.ts) gives the capabilities that serve end-user HTML pages: forms,
// cookies, CSRF tokens, safe redirects, and error pages. Capabilities use it without knowing the surface.
import type { FastifyReply, FastifyRequest } from 'fastify';

export type Form = Record<string, string>;

export type CookieOptions = {
  /** Seconds; without it the cookie lasts as long as the browser session. */
  maxAge?: number | undefined;
  sameSite: 'lax' | 'strict';
  /** Signed with the installation's cookie key; a tampered value reads as absent. */
  signed?: boolean | undefined;
};

/** A page's handler may throw: a product error becomes a page showing its message, anything else a plain 500 page. */
export interface PagesKit {
  html(reply: FastifyReply, status: number, body: string): FastifyReply;
  /** 303 See Other to a path of this server. */
  redirect(reply: FastifyReply, to: string): FastifyReply;
  /** The status a page gets for a product error code. */
  statusOf(code: string): number;
  /** The form's fields (application/x-www-form-urlencoded only; the first value of each, at most 1000 characters). */
  form(request: FastifyRequest): Form;
  /** The browser's double-submit CSRF token for forms shown to someone not signed in (set on first use). */
  anonymousCsrf(request: FastifyRequest, reply: FastifyReply): string;
  /** Refuses a form post whose `csrf` field is not `expected` (the session's token, or the browser's anonymous one). */
  checkCsrf(form: Form, expected: string | undefined): void;
  anonymousCsrfOf(request: FastifyRequest): string | undefined;
  setCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions): void;
  clearCookie(reply: FastifyReply, name: string, sameSite: CookieOptions['sameSite']): void;
  cookie(request: FastifyRequest, name: string, options?: { signed?: boolean }): string | undefined;
  /** `value` when it is a path on this server, else `fallback` (no open redirects). */
  safeReturnTo(value: string | undefined, fallback?: string): string;
}
