// The sign-in methods Carillon knows, their per-account configurations, and the one place that decides which
// method an address signs in with. Capabilities register their methods (a directory's `ldap`, an account's
// `account-oidc`) and the routes from an address's domain to an account's method; the sign-in page asks for the
// email first and then shows what `choose` says.
import { z } from 'zod';
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { License } from '../platform/types.js';
import { methodConfigsRepository } from './method-configs-repository.js';
import type { SigninMethod } from './methods/signin-method.js';

/** An account's identity source for an address: the method and the account it is configured for. */
export type MethodRoute = { accountId: string; kind: string };
/** From an address's domain (lower case) to the account that owns it and that account's method, if any. */
export type DomainRouter = (domain: string, ex: Executor) => Promise<MethodRoute | undefined>;

/** The license that directory groups give in an account: `undefined` when the account maps no groups, null when
 *  the person is in none of its mapped groups (and so may not sign in). */
export type LicenseSource = (ex: Executor, accountId: string, groups: string[]) => Promise<License | null | undefined>;

export type Choice =
  /** The account's own method, and nothing else, for an address in a domain that account owns. */
  | { kind: 'account'; method: SigninMethod; accountId: string }
  /** Carillon's own: the password, plus whatever social providers the installation offers. */
  | { kind: 'installation'; method: SigninMethod };

export class SigninMethods {
  private readonly methods = new Map<string, SigninMethod>();
  private readonly routers: DomainRouter[] = [];
  private licenseSource: LicenseSource | undefined;

  constructor(private readonly deps: { db: Db; clock: Clock; secretBox: SecretBox; defaultKind: string }) {}

  register(method: SigninMethod): void {
    if (this.methods.has(method.kind)) throw new Error(`Sign-in method ${method.kind} is registered twice.`);
    this.methods.set(method.kind, method);
  }

  get(kind: string): SigninMethod {
    const method = this.methods.get(kind);
    if (!method) throw new AppError('route.not_found', `No sign-in method ${kind}.`);
    return method;
  }

  routeDomainsWith(router: DomainRouter): void {
    this.routers.push(router);
  }

  useLicenseSource(source: LicenseSource): void {
    this.licenseSource = source;
  }

  /** The license groups give, see LicenseSource. */
  async licenseFromGroups(ex: Executor, accountId: string, groups: string[]): Promise<License | null | undefined> {
    return this.licenseSource?.(ex, accountId, groups);
  }

  /** Which method an address signs in with. */
  async choose(email: string, ex: Executor = this.deps.db): Promise<Choice> {
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    for (const router of this.routers) {
      const route = domain ? await router(domain, ex) : undefined;
      if (route) return { kind: 'account', method: this.get(route.kind), accountId: route.accountId };
    }
    return { kind: 'installation', method: this.get(this.deps.defaultKind) };
  }

  /** Stores an account's configuration of a method, validated by the method's schema, its secrets sealed. */
  async putConfig(ex: Executor, accountId: string, kind: string, config: unknown): Promise<void> {
    const method = this.get(kind);
    const parsed = method.configSchema.safeParse(config);
    if (!parsed.success) throw new AppError('request.invalid', `The ${kind} configuration is not valid: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    const all = parsed.data as Record<string, unknown>;
    const secrets = Object.fromEntries(method.secretFields.filter((f) => f in all).map((f) => [f, all[f]]));
    const plain = Object.fromEntries(Object.entries(all).filter(([k]) => !method.secretFields.includes(k)));
    await methodConfigsRepository.upsert(ex, { accountId, kind, config: plain, secretsCiphertext: this.deps.secretBox.seal(JSON.stringify(secrets)), at: this.deps.clock.now().toISOString() });
  }

  /** An account's configuration of a method, secrets opened (for the method itself, never for a response). */
  async config<C>(ex: Executor, accountId: string, kind: string): Promise<C | undefined> {
    const stored = await methodConfigsRepository.find(ex, accountId, kind);
    if (!stored) return undefined;
    const secrets = JSON.parse(this.deps.secretBox.open(stored.secretsCiphertext)) as Record<string, unknown>;
    return this.get(kind).configSchema.parse({ ...stored.config, ...secrets }) as C;
  }

  /** The configuration as it may be shown: without its secret fields. */
  async publicConfig(ex: Executor, accountId: string, kind: string): Promise<{ config: Record<string, unknown>; updatedAt: string } | undefined> {
    const stored = await methodConfigsRepository.find(ex, accountId, kind);
    return stored && { config: stored.config, updatedAt: stored.updatedAt };
  }

  async removeConfig(ex: Executor, accountId: string, kind: string): Promise<boolean> {
    return methodConfigsRepository.remove(ex, accountId, kind);
  }
}

/** Installation-wide methods have no configuration of their own. */
export const noConfig = z.object({}).strict();
