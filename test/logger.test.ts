// The per-request logger: bound to the request id when something is written, silent where the level is off.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, lazyRequestLogger } from '../src/platform/logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

test('a request logger writes enabled levels with the request id, and nothing for levels that are off', async () => {
  const { lines, stream } = capture();
  const parent = createLogger('warn', stream);
  const log = lazyRequestLogger(parent, { reqId: 'r-1' }, {});
  log.info({ a: 1 }, 'not written');
  log.debug('not written either');
  log.error({ err: new Error('boom'), password: 'hunter2', body: { PersonalPIN: '1234567890' } }, 'failed');
  log.child({ part: 'oidc' }).warn('from a child');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    lines.map((l) => [l.msg, l.reqId, l.part]),
    [
      ['failed', 'r-1', undefined],
      ['from a child', 'r-1', 'oidc'],
    ],
  );
  assert.equal((lines[0]!.err as { message: string }).message, 'boom');
  assert.equal(lines[0]!.password, '[redacted]', 'redaction still applies');
  assert.deepEqual(lines[0]!.body, { PersonalPIN: '[redacted]' });
  assert.equal(log.level, 'warn');
});

test('request loggers of different requests keep their own ids', async () => {
  const { lines, stream } = capture();
  const parent = createLogger('info', stream);
  const a = lazyRequestLogger(parent, { reqId: 'a' }, {});
  const b = lazyRequestLogger(parent, { reqId: 'b' }, {});
  b.info('from b');
  a.info('from a');
  b.warn('b again');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(lines.map((l) => `${l.reqId}:${l.msg}`), ['b:from b', 'a:from a', 'b:b again']);
});
