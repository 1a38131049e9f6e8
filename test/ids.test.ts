// Identifiers and the pooled CSPRNG they draw from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secureRandomBytes, uuidv7 } from '../src/platform/ids.js';

test('pooled random bytes: the asked length, a copy for each caller, never the same bytes twice across pool refills', () => {
  const seen = new Set<string>();
  // 10,000 draws of 16 bytes pass the 4 KiB pool about 40 times; sizes that do not divide it straddle refills.
  for (let i = 0; i < 10_000; i++) {
    const size = [16, 32, 12, 30, 7][i % 5]!;
    const bytes = secureRandomBytes(size);
    assert.equal(bytes.length, size);
    const hex = bytes.toString('hex');
    if (size >= 12) {
      assert.ok(!seen.has(hex), `draw ${i} repeated earlier bytes`);
      seen.add(hex);
    }
  }
  // A caller's bytes are its own: they stay as drawn while later draws refill and wipe the pool, and changing
  // them changes no one else's.
  const a = secureRandomBytes(32);
  const b = secureRandomBytes(32);
  const [aHex, bHex] = [a.toString('hex'), b.toString('hex')];
  for (let i = 0; i < 300; i++) secureRandomBytes(32);
  assert.equal(a.toString('hex'), aHex);
  a.fill(0);
  assert.equal(b.toString('hex'), bHex);
  // Larger than the pool: straight from the CSPRNG.
  assert.equal(secureRandomBytes(10_000).length, 10_000);
  // Roughly uniform: over 64 KiB every byte value occurs (a stuck or zeroed pool would fail this).
  const counts = new Array(256).fill(0);
  for (let i = 0; i < 2048; i++) for (const b of secureRandomBytes(32)) counts[b]++;
  assert.ok(Math.min(...counts) > 128 && Math.max(...counts) < 400, `byte counts from ${Math.min(...counts)} to ${Math.max(...counts)}`);
});

test('uuidv7 ids are version 7, variant 10, unique and in creation order', () => {
  const ids = Array.from({ length: 5_000 }, () => uuidv7());
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  for (const id of ids.slice(0, 100)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
