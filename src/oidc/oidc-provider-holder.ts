// Holds the running oidc-provider instance and rebuilds it when the published signing keys change (a rotation
// made by the CLI or another node), so every node serves the same JWKS within `refreshMs`.
import type { FastifyBaseLogger } from 'fastify';
import type Provider from 'oidc-provider';
import type { Clock } from '../platform/clock.js';
import type { OidcKeys, SigningKey } from './oidc-keys.js';

type Current = { provider: Provider; handle: ReturnType<Provider['callback']>; fingerprint: string; checkedAt: number };

export class ProviderHolder {
  private current: Current | undefined;
  private refreshing: Promise<Current> | undefined;

  constructor(
    private readonly deps: {
      keys: OidcKeys;
      build: (keys: SigningKey[]) => Provider;
      /** How long a node trusts its key set before looking again. */
      refreshMs: number;
      log: FastifyBaseLogger;
      clock: Clock;
    },
  ) {}

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  /** The provider and its request handler, current within `refreshMs`. */
  async get(): Promise<Current> {
    const current = this.current;
    if (current && this.now() - current.checkedAt < this.deps.refreshMs) return current;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<Current> {
    const previous = this.current;
    try {
      const fingerprint = await this.deps.keys.publishedFingerprint();
      if (previous && fingerprint === previous.fingerprint) {
        previous.checkedAt = this.now();
        return previous;
      }
      const keys = await this.deps.keys.publishedKeys();
      const provider = this.deps.build(keys);
      this.current = { provider, handle: provider.callback(), fingerprint: keys.map((k) => k.kid).join(','), checkedAt: this.now() };
      if (previous) this.deps.log.info({ signingKey: keys[0]!.kid }, 'OpenID Connect signing keys changed; provider rebuilt');
      return this.current;
    } catch (err) {
      // A database hiccup must not take sign-in down: keep serving the last good key set and look again later.
      if (!previous) throw err;
      this.deps.log.warn({ err }, 'could not refresh the OpenID Connect signing keys; keeping the current ones');
      previous.checkedAt = this.now();
      return previous;
    }
  }
}
