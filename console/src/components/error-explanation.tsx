// Every failure the console shows names the server's error Code, says in plain words what it means, and quotes
// the server's Message, which usually names the exact field or rule. The words come from the error's Reason,
// Carillon's stable code for why it refused; the Code alone only says which kind of refusal it was.
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ReactNode } from 'react';
import { ApiError, type ErrorCode } from '../api';

const retryOrLog = 'Try again; if it keeps failing, check the server log.';
const reloadConsole = 'The console sent a request the server could not read. Reload the page and try again.';
const notAuthenticated = 'The request was not authenticated. Reload the page and sign in again.';

/** What each refusal means, by Reason. Typed by the server's catalog, so a misspelt or retired code does not compile. */
const reasons: Partial<Record<ErrorCode, string>> = {
  'request.invalid': 'A value was not accepted. The server message names the field and the rule.',
  'request.malformed_json': reloadConsole,
  'request.too_large': 'The request is larger than the server accepts (CARILLON_BODY_LIMIT).',
  'request.unsupported_media_type': reloadConsole,
  'route.not_found': 'The server does not offer this operation: the console and the server may be different versions. Reload the page.',
  'route.method_not_allowed': 'The server does not offer this operation: the console and the server may be different versions. Reload the page.',
  'pagination.invalid_token': 'This page of the list can no longer be opened. Go back to the first page.',
  'auth.missing': notAuthenticated,
  'auth.malformed': notAuthenticated,
  'auth.unknown_key': 'The access key is unknown or was revoked.',
  'auth.signature_mismatch': notAuthenticated,
  'auth.expired': notAuthenticated,
  'auth.forbidden': 'Your administrator role does not allow this action.',
  'auth.other_account': 'This access is limited to another account.',
  'account.not_found': 'No account has this ID. If it was deleted, it is listed under Deleted accounts.',
  'account.not_deleted': 'This account is not deleted, so there is nothing to restore.',
  'account.restore_expired': 'The 90 days during which a deleted account can be restored are over.',
  'account.has_active_users':
    'Registered or suspended users remain in the account. Remove them first: on the Users page, select them and choose Actions → Remove users.',
  'account.has_domains': 'The account still has claimed domains. An Enterprise account can be deleted only once it has released every domain.',
  'account.wrong_type': 'This account’s type does not allow it; for example, only Team accounts invite people by email.',
  'user.not_found': 'This account has no user with this ID; the user may have been removed.',
  'user.email_taken': 'A member of this account already has this email address.',
  'user.registered_elsewhere': 'This person is a registered member of another account, and one person can be registered in only one account at a time.',
  'user.license_managed_by_directory':
    'In this account licenses follow the directory groups mapped to Basic and Pro: change the user’s group membership in the identity provider instead.',
  'invitation.invalid': 'There is no such invitation, or it was withdrawn.',
  'invitation.expired': 'The invitation has expired. Invite the person again.',
  'invitation.used': 'The invitation was already accepted or withdrawn.',
  'signin.invalid_credentials': 'The email address and password do not match an administrator of this server.',
  'signin.locked': 'There were too many failed attempts, so sign-in is locked for a while. Wait a few minutes, then try again.',
  'signin.password_weak': 'The password is too easy to guess: the server message says why. Choose a longer or less common one.',
  'session.csrf': 'The session check failed. Reload the page and try again.',
  'admin.session_required': 'Your console session has ended. Sign in again.',
  'admin.setup_invalid': 'This setup link is not valid. Check that you opened the whole link, or ask for a new one.',
  'admin.setup_expired': 'This setup link has expired. Ask an administrator with full access for a new one.',
  'admin.setup_used': 'This setup link was already used. If you created your administrator with it, sign in; otherwise ask for a new link.',
  'admin.email_taken': 'This address already belongs to an active administrator.',
  'admin.not_found': 'There is no active administrator with this ID; they may already be disabled.',
  'admin.self': 'You cannot disable your own administrator: ask another full administrator to do it.',
  internal: `The server failed while handling the request. ${retryOrLog}`,
};

/** For failures without a Reason (a proxy's error page, a lost connection) and for the per-user codes of batch calls. */
const codes: Record<string, string> = {
  BadRequest: 'The request was not accepted. Check the values you entered.',
  Unauthorized: 'You are not signed in, or the email address and password do not match.',
  Forbidden: 'Your administrator role does not allow this action, or the session check failed.',
  NotFound: 'It does not exist, or it was deleted.',
  Conflict: 'It conflicts with something that already exists, such as an email address already in use.',
  PreconditionFailed: 'It changed since you loaded it. Reload the page and try again.',
  Unprocessable: 'The request is valid, but the item is not in a state that allows it.',
  Throttled: 'Too many attempts in a short time. Wait a few minutes, then try again.',
  ServiceFailure: `The server failed while handling the request. ${retryOrLog}`,
  ServiceUnavailable: 'The server is temporarily unavailable. Try again shortly.',
  NetworkError: 'The server could not be reached. Check your network connection and that the server is running.',
};

/** Plain words for a Chime error code, as batch calls report per user (UserErrors carry no Reason). */
export function explainError(code: string): string {
  return codes[code] ?? 'The server refused the request.';
}

/** Plain words for a failed call: by its Reason when the server gave one the console knows, else by its Code. */
export function explainApiError(error: ApiError): string {
  return (error.reason !== undefined ? reasons[error.reason as ErrorCode] : undefined) ?? explainError(error.code);
}

export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'ConsoleError', error instanceof Error ? error.message : String(error));
}

interface ErrorDetailsProps {
  error: ApiError;
  /** A more precise explanation for this situation than the one for its Reason. */
  explanation?: ReactNode;
}

/** The code, the explanation and the server's message, for use inside an Alert or a flash message. */
export function ErrorDetails({ error, explanation }: ErrorDetailsProps) {
  return (
    <SpaceBetween size="xxs">
      <Box>
        <Box variant="strong" display="inline">
          {error.code}
        </Box>
        {': '}
        {explanation ?? explainApiError(error)}
      </Box>
      <Box variant="small">
        Server message: {error.message}
        {error.reason && ` (${error.reason})`}
      </Box>
    </SpaceBetween>
  );
}

export function ErrorAlert({ header, ...details }: ErrorDetailsProps & { header: ReactNode }) {
  return (
    <Alert type="error" header={header}>
      <ErrorDetails {...details} />
    </Alert>
  );
}
