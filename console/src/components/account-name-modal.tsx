// The dialog that asks for an account's name: creating an account and renaming one. It checks the name as the
// API does (1 to 100 characters, not blank), keeps the dialog open on failure and shows the error in place.
import FormField from '@cloudscape-design/components/form-field';
import Input, { type InputProps } from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import type { ApiError } from '../api';
import { ErrorAlert, toApiError } from './error-explanation';
import { useInitialFocus } from './initial-focus';
import { ModalFooter } from './modal-footer';

const MAX_NAME = 100;

interface AccountNameModalProps {
  header: string;
  submitLabel: string;
  description: string;
  /** Heading of the error shown when the call fails, e.g. "The account was not created". */
  failure: string;
  initialName?: string;
  /** Makes the call; the dialog stays open (showing the error) if it throws. */
  onSubmit: (name: string) => Promise<void>;
  onDismiss: () => void;
}

export function AccountNameModal({ header, submitLabel, description, failure, initialName = '', onSubmit, onDismiss }: AccountNameModalProps) {
  const [name, setName] = useState(initialName);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const input = useInitialFocus<InputProps.Ref>();

  const trimmed = name.trim();
  const problem = !trimmed ? 'Enter a name for the account.' : trimmed.length > MAX_NAME ? `Use at most ${MAX_NAME} characters.` : undefined;

  async function submit() {
    setSubmitted(true);
    if (problem) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(trimmed);
    } catch (e) {
      setError(toApiError(e));
      setBusy(false);
    }
  }

  return (
    <Modal
      visible
      header={header}
      closeAriaLabel="Close dialog"
      onDismiss={() => !busy && onDismiss()}
      footer={<ModalFooter label={submitLabel} onAction={() => void submit()} onCancel={onDismiss} busy={busy} />}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <SpaceBetween size="m">
          {error && <ErrorAlert header={failure} error={error} />}
          <FormField label="Account name" description={description} constraintText={`Up to ${MAX_NAME} characters.`} errorText={submitted ? problem : undefined}>
            <Input ref={input} value={name} onChange={({ detail }) => setName(detail.value)} />
          </FormField>
        </SpaceBetween>
      </form>
    </Modal>
  );
}
