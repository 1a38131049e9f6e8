// Identifier generators: time-ordered UUIDs for rows (stable keyset order), access key ids and secrets.
import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
let poolOffset = POOL_SIZE;

/**
 * Bytes from the CSPRNG, drawn 4 KiB at a time (as Node's own randomUUID does): a randomBytes() call costs about
 * 7 µs on a virtual machine, nearly all of it fixed overhead, and an invitation draws five. Each byte is handed out
 * once, as the caller's own copy, and wiped from the pool.
 */
export function secureRandomBytes(size: number): Buffer {
  if (size > POOL_SIZE) return randomBytes(size);
  if (poolOffset + size > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.allocUnsafe(size);
  pool.copy(out, 0, poolOffset, poolOffset + size);
  pool.fill(0, poolOffset, poolOffset + size);
  poolOffset += size;
  return out;
}

let lastMs = -1;
let sequence = 0;

/**
 * RFC 9562 UUID version 7: 48-bit millisecond timestamp, a 12-bit sequence that keeps ids made in the same
 * millisecond in creation order (method 1 of the RFC), then random bits.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = secureRandomBytes(16);
  if (now > lastMs) {
    sequence = bytes.readUInt16BE(6) & 0x3ff; // start low so the sequence rarely runs out
  } else if (sequence < 0xfff) {
    // Same millisecond, or the clock stepped back: stay on the last millisecond and count up.
    now = lastMs;
    sequence++;
  } else {
    // The sequence ran out: borrow the next millisecond, so ids never go backwards.
    now = lastMs + 1;
    sequence = 0;
  }
  lastMs = now;
  bytes.writeUIntBE(now, 0, 6);
  bytes.writeUInt16BE(0x7000 | sequence, 6);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A 20-character access key id in the AWS style (prefix CK for Carillon keys). */
export function newAccessKeyId(): string {
  let id = 'CKIA';
  for (let i = 0; i < 16; i++) id += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return id;
}

/** A 40-character secret access key, 240 bits of entropy. */
export function newSecretAccessKey(): string {
  return secureRandomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

/** A 10-digit personal meeting PIN from the CSPRNG: knowing one PIN tells nothing of another. */
export function newPersonalPin(): string {
  let pin = '';
  for (let i = 0; i < 10; i++) pin += String(randomInt(10));
  return pin;
}

/** A 12-digit owner id, the `AwsAccountId` of every account in this installation. */
export function newOwnerId(): string {
  return String(randomInt(1, 10)) + Array.from({ length: 11 }, () => String(randomInt(10))).join('');
}
