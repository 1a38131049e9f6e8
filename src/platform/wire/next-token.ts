// Opaque NextToken values for keyset pagination: the id of the last item of the page, versioned and encoded.
import { AppError } from '../errors.js';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeNextToken(lastId: string | undefined): string | undefined {
  return lastId === undefined ? undefined : Buffer.from(`v1.${lastId}`, 'utf8').toString('base64url');
}

export function decodeNextToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const raw = Buffer.from(token, 'base64url').toString('utf8');
  const id = raw.startsWith('v1.') ? raw.slice(3) : '';
  if (!ID.test(id) || Buffer.from(raw, 'utf8').toString('base64url') !== token) {
    throw new AppError('pagination.invalid_token', 'The NextToken is not valid. Use the NextToken value from a previous response.');
  }
  return id;
}

export const DEFAULT_MAX_RESULTS = 100;
