// How each error code travels on the Chime wire: HTTP status, x-amzn-ErrorType and the body's Code. The chime-api
// surface (and the console's endpoints, which speak the same shape) answer with it; batch operations use its Code.
import type { ErrorCode } from '../errors.js';

/** The Chime ErrorCode enum values used in bodies and in batch UserErrors. */
export type ChimeErrorCode =
  | 'BadRequest'
  | 'Conflict'
  | 'Forbidden'
  | 'NotFound'
  | 'PreconditionFailed'
  | 'ServiceFailure'
  | 'ServiceUnavailable'
  | 'Unauthorized'
  | 'Unprocessable'
  | 'Throttled';

export type ChimeWireError = { status: number; type: string; code: ChimeErrorCode };

const badRequest: ChimeWireError = { status: 400, type: 'BadRequestException', code: 'BadRequest' };
const notFound: ChimeWireError = { status: 404, type: 'NotFoundException', code: 'NotFound' };
const forbidden: ChimeWireError = { status: 403, type: 'ForbiddenException', code: 'Forbidden' };
const conflict: ChimeWireError = { status: 409, type: 'ConflictException', code: 'Conflict' };
const unprocessable: ChimeWireError = { status: 422, type: 'UnprocessableEntityException', code: 'Unprocessable' };

// SigV4 failures use the generic AWS exception names, as AWS itself does; the SDK surfaces them by name.
const signature = (type: string): ChimeWireError => ({ status: 403, type, code: 'Forbidden' });

export const chimeErrors: Record<ErrorCode, ChimeWireError> = {
  'request.invalid': badRequest,
  'request.malformed_json': badRequest,
  // 413, with the BadRequestException name: the Chime model has no exception of its own for it, and the SDK builds
  // its modelled error from the name alone (status 413 in $metadata); an unmodelled name would come out as a
  // bare ChimeServiceException. 413 is not among the statuses the SDK retries.
  'request.too_large': { status: 413, type: 'BadRequestException', code: 'BadRequest' },
  'request.unsupported_media_type': badRequest,
  'route.not_found': notFound,
  'route.method_not_allowed': notFound,
  'pagination.invalid_token': badRequest,
  'auth.missing': signature('MissingAuthenticationTokenException'),
  'auth.malformed': signature('IncompleteSignatureException'),
  'auth.unknown_key': signature('UnrecognizedClientException'),
  'auth.signature_mismatch': signature('InvalidSignatureException'),
  'auth.expired': signature('InvalidSignatureException'),
  'auth.forbidden': forbidden,
  'auth.other_account': forbidden,
  'account.not_found': notFound,
  'account.not_deleted': badRequest,
  'account.restore_expired': unprocessable,
  'account.has_active_users': unprocessable,
  'account.has_domains': unprocessable,
  'account.wrong_type': badRequest,
  'user.not_found': notFound,
  'user.email_taken': conflict,
  'user.registered_elsewhere': conflict,
  'user.license_managed_by_directory': badRequest,
  'invitation.invalid': notFound,
  'invitation.expired': { status: 410, type: 'BadRequestException', code: 'BadRequest' },
  'invitation.used': { status: 410, type: 'BadRequestException', code: 'BadRequest' },
  'invitation.email_mismatch': forbidden,
  'signin.invalid_credentials': { status: 401, type: 'UnauthorizedClientException', code: 'Unauthorized' },
  'signin.locked': { status: 429, type: 'ThrottledClientException', code: 'Throttled' },
  'signin.email_unverified': forbidden,
  'signin.suspended': forbidden,
  'signin.password_weak': badRequest,
  'signin.email_taken': conflict,
  'signin.token_invalid': badRequest,
  'signin.social_cancelled': badRequest,
  'signin.social_failed': badRequest,
  'signin.social_unverified_email': forbidden,
  'signin.no_license_group': forbidden,
  'session.csrf': forbidden,
  'directory.not_member': forbidden,
  'admin.session_required': { status: 401, type: 'UnauthorizedClientException', code: 'Unauthorized' },
  'admin.setup_invalid': badRequest,
  'admin.setup_expired': { status: 410, type: 'BadRequestException', code: 'BadRequest' },
  'admin.setup_used': { status: 410, type: 'BadRequestException', code: 'BadRequest' },
  'admin.email_taken': conflict,
  'admin.not_found': notFound,
  'admin.self': badRequest,
  'domain.invalid': badRequest,
  'domain.not_found': notFound,
  'domain.already_claimed': conflict,
  'domain.claimed_elsewhere': conflict,
  'domain.claim_failed': badRequest,
  'domain.limit': badRequest,
  'access_key.not_found': notFound,
  'job.not_found': notFound,
  'job.not_failed': badRequest,
  internal: { status: 500, type: 'ServiceFailureException', code: 'ServiceFailure' },
};
