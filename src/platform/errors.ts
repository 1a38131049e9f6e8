// One error type for the whole product, with stable codes from one catalog. The HTTP status and the Chime
// exception name for each code live in the wire table (src/api/wire-errors.ts), never in domain code.

export const errorCodes = [
  // request shape
  'request.invalid',
  'request.malformed_json',
  'request.too_large',
  'request.unsupported_media_type',
  'route.not_found',
  'route.method_not_allowed',
  'pagination.invalid_token',
  // authentication and authorization
  'auth.missing',
  'auth.malformed',
  'auth.unknown_key',
  'auth.signature_mismatch',
  'auth.expired',
  'auth.forbidden',
  'auth.other_account',
  // accounts
  'account.not_found',
  'account.not_deleted',
  'account.restore_expired',
  'account.has_active_users',
  'account.has_domains',
  'account.wrong_type',
  // users and invitations
  'user.not_found',
  'user.email_taken',
  'user.registered_elsewhere',
  'user.license_managed_by_directory',
  'invitation.invalid',
  'invitation.expired',
  'invitation.used',
  'invitation.email_mismatch',
  // end users: sign-in, registration, sessions
  'signin.invalid_credentials',
  'signin.locked',
  'signin.email_unverified',
  'signin.suspended',
  'signin.password_weak',
  'signin.email_taken',
  'signin.token_invalid',
  'signin.social_cancelled',
  'signin.social_failed',
  'signin.social_unverified_email',
  'signin.no_license_group',
  'session.csrf',
  'directory.not_member',
  // console administrators
  'admin.session_required',
  'admin.setup_invalid',
  'admin.setup_expired',
  'admin.setup_used',
  'admin.email_taken',
  'admin.not_found',
  'admin.self',
  // claimed domains
  'domain.invalid',
  'domain.not_found',
  'domain.already_claimed',
  'domain.claimed_elsewhere',
  'domain.claim_failed',
  'domain.limit',
  // API access keys
  'access_key.not_found',
  // background jobs
  'job.not_found',
  'job.not_failed',
  // anything else
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
