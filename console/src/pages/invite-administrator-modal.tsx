// Inviting an administrator: an address and a role, and then the one-time setup link to hand over, shown once with
// a copy button (Carillon keeps only its hash, as `carillon admins create` does).
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Input, { type InputProps } from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import type { AdministratorInvitation, Role } from '../api';
import { ErrorAlert } from '../components/error-explanation';
import { useInitialFocus } from '../components/initial-focus';
import { ModalFooter } from '../components/modal-footer';
import { OneTimeSecret } from '../components/one-time-secret';
import { useSubmission } from '../components/submission';
import { formatDateTime, roleLabels, roleOptions } from '../format';
import { useSignedIn } from '../session';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function InviteAdministratorModal({ onDismiss }: { onDismiss: () => void }) {
  const { api } = useSignedIn();
  const [email, setEmail] = useState('');
  // The least access by default: a role is given on purpose.
  const [role, setRole] = useState<Role>('read-only');
  const { submitted, busy, error, submit } = useSubmission();
  const [invitation, setInvitation] = useState<AdministratorInvitation>();
  const input = useInitialFocus<InputProps.Ref>();

  const trimmed = email.trim();
  const problem = !EMAIL.test(trimmed) || trimmed.length > 254 ? 'Enter an email address, such as name@example.com.' : undefined;

  const invite = () => submit(problem, async () => setInvitation(await api.inviteAdministrator(trimmed, role)));

  return (
    <Modal
      visible
      size="medium"
      header="Invite administrator"
      closeAriaLabel="Close dialog"
      onDismiss={() => !busy && onDismiss()}
      data-testid="invite-administrator-modal"
      footer={
        invitation ? (
          <Box float="right">
            <Button variant="primary" onClick={onDismiss}>
              Done
            </Button>
          </Box>
        ) : (
          <ModalFooter label="Create setup link" onAction={() => void invite()} onCancel={onDismiss} busy={busy} />
        )
      }
    >
      {invitation ? (
        <SpaceBetween size="m">
          <Alert type="warning" header="This link is shown only now">
            Send it to {invitation.Email} yourself (Carillon does not email it). It works once, until {formatDateTime(invitation.ExpiresOn)}, and
            makes them an administrator with {roleLabels[invitation.Role]} when they set their password. If it is lost, invite them again: only
            the newest link works.
          </Alert>
          <OneTimeSecret label="Setup link" value={invitation.SetupLink} data-testid="setup-link" />
        </SpaceBetween>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void invite();
          }}
        >
          <SpaceBetween size="m">
            {error && <ErrorAlert header="The administrator was not invited" error={error} />}
            <FormField label="Email" description="The address they will sign in with." errorText={submitted ? problem : undefined}>
              <Input ref={input} type="email" value={email} onChange={({ detail }) => setEmail(detail.value)} autoComplete={false} />
            </FormField>
            <FormField label="Role">
              <Select
                selectedOption={roleOptions.find((o) => o.value === role) ?? null}
                options={roleOptions}
                onChange={({ detail }) => setRole((detail.selectedOption.value as Role | undefined) ?? role)}
              />
            </FormField>
          </SpaceBetween>
        </form>
      )}
    </Modal>
  );
}
