// The state of a dialog's form while it is sent: whether the administrator has tried to send it (so its fields
// may show their problems), whether a call is under way, and the error of the last call, shown in place.
import { useState } from 'react';
import type { ApiError } from '../api';
import { toApiError } from './error-explanation';

export function useSubmission() {
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  /** Runs `action` unless `problem` says the form is not ready; what it throws is kept as the error. */
  async function submit(problem: string | undefined, action: () => Promise<void>): Promise<void> {
    setSubmitted(true);
    if (problem) return;
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  }

  return { submitted, busy, error, submit };
}
