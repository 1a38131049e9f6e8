// Encrypts secrets at rest (AES-256-GCM) with the installation's master key.
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { secureRandomBytes } from './ids.js';
import fs from 'node:fs';
import path from 'node:path';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('master key must be 32 bytes');
  }

  seal(plaintext: string): string {
    const iv = secureRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

/**
 * The configured master key, or the one kept in DATA_DIR/master.key (created on first use, mode 0600).
 * `created` tells the caller to warn: a key beside the data protects a stolen database dump, not a stolen disk.
 */
export function resolveMasterKey(configured: Buffer | undefined, dataDir: string): { key: Buffer; created: boolean; fromFile: boolean } {
  if (configured) return { key: configured, created: false, fromFile: false };
  const file = path.join(dataDir, 'master.key');
  try {
    return { key: Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'), created: false, fromFile: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return { key, created: true, fromFile: true };
  } catch (e) {
    // Another process (the CLI or a second node) created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { key: Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'), created: false, fromFile: true };
  }
}

/** Compares two secrets (CSRF tokens) in constant time; absent never matches. */
export const sameSecret = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
