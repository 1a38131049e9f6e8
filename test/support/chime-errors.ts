// Asserting the modelled errors the SDK throws: class, body Code, HTTP status and request id.
import assert from 'node:assert/strict';
import type { ChimeServiceException } from '@aws-sdk/client-chime';

type ChimeError = ChimeServiceException & { Code?: string };

/** Asserts that the call fails with the given modelled exception, body Code and HTTP status; returns the error. */
export async function rejectsWith<T extends ChimeError>(
  call: Promise<unknown>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  errorClass: new (...args: any[]) => T,
  code: string,
  status: number,
): Promise<T> {
  let caught: unknown;
  await assert.rejects(call, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof errorClass, `expected ${errorClass.name}, got ${String(caught)}`);
  assert.equal(caught.Code, code);
  assert.equal(caught.$metadata.httpStatusCode, status);
  assert.ok(caught.$metadata.requestId, 'the error carries a request id');
  return caught;
}
