// Every failure the console shows names the server's error Code, says in plain words what it means, and quotes
// the server's Message, which usually names the exact field or rule.
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ReactNode } from 'react';
import { ApiError } from '../api';

const explanations: Record<string, string> = {
  BadRequest: 'The request was not accepted. Check the values you entered.',
  Unauthorized: 'You are not signed in, or the email address and password do not match.',
  Forbidden: 'Your administrator role does not allow this action, or the session check failed.',
  NotFound: 'It does not exist, or it was deleted.',
  Conflict: 'It conflicts with something that already exists, such as an email address already in use.',
  PreconditionFailed: 'It changed since you loaded it. Reload the page and try again.',
  Unprocessable: 'The request is valid, but the item is not in a state that allows it.',
  Throttled: 'Too many attempts in a short time. Wait a few minutes, then try again.',
  ServiceFailure: 'The server failed while handling the request. Try again; if it keeps failing, check the server log.',
  ServiceUnavailable: 'The server is temporarily unavailable. Try again shortly.',
  NetworkError: 'The server could not be reached. Check your network connection and that the server is running.',
};

export function explainError(code: string): string {
  return explanations[code] ?? 'The server refused the request.';
}

export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'ConsoleError', error instanceof Error ? error.message : String(error));
}

interface ErrorDetailsProps {
  error: ApiError;
  /** A more precise explanation for this situation than the generic one for the code. */
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
        {explanation ?? explainError(error.code)}
      </Box>
      <Box variant="small">Server message: {error.message}</Box>
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
