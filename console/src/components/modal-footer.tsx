// The footer every dialog shares: Cancel, then the primary action, both held while the action runs.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import SpaceBetween from '@cloudscape-design/components/space-between';

export function ModalFooter({ label, onAction, onCancel, busy, disabled }: { label: string; onAction: () => void; onCancel: () => void; busy: boolean; disabled?: boolean }) {
  return (
    <Box float="right">
      <SpaceBetween direction="horizontal" size="xs">
        <Button variant="link" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button variant="primary" onClick={onAction} loading={busy} disabled={disabled}>
          {label}
        </Button>
      </SpaceBetween>
    </Box>
  );
}
