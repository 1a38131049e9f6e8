// Confirmation for destructive actions. `typeToConfirm` asks the administrator to type a value (an account's
// name) before the action unlocks, for the actions whose target is easy to mistake.
import FormField from '@cloudscape-design/components/form-field';
import Input, { type InputProps } from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState, type ReactNode } from 'react';
import { useInitialFocus } from './initial-focus';
import { ModalFooter } from './modal-footer';

interface ConfirmModalProps {
  title: string;
  confirmLabel: string;
  children: ReactNode;
  onConfirm: () => Promise<void>;
  onDismiss: () => void;
  typeToConfirm?: { label: string; value: string };
  'data-testid'?: string;
}

export function ConfirmModal({ title, confirmLabel, children, onConfirm, onDismiss, typeToConfirm, ...rest }: ConfirmModalProps) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const typedInput = useInitialFocus<InputProps.Ref>();
  const unlocked = typeToConfirm === undefined || typed === typeToConfirm.value;

  async function confirm() {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      visible
      header={title}
      onDismiss={() => !busy && onDismiss()}
      closeAriaLabel="Close dialog"
      data-testid={rest['data-testid']}
      footer={<ModalFooter label={confirmLabel} onAction={() => void confirm()} onCancel={onDismiss} busy={busy} disabled={!unlocked} />}
    >
      <SpaceBetween size="m">
        <div>{children}</div>
        {typeToConfirm !== undefined && (
          <FormField label={typeToConfirm.label} description={`Enter “${typeToConfirm.value}” exactly.`}>
            <Input ref={typedInput} value={typed} onChange={({ detail }) => setTyped(detail.value)} autoComplete={false} spellcheck={false} />
          </FormField>
        )}
      </SpaceBetween>
    </Modal>
  );
}
