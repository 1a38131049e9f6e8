// Creating an access key: a name, a role and optionally the one account it may touch; then its ID and secret,
// shown this once with copy buttons (the secret is sealed at rest and never shown again).
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Input, { type InputProps } from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import type { CreatedAccessKey, Role } from '../api';
import { AccountSelect } from '../components/account-select';
import { ErrorAlert } from '../components/error-explanation';
import { useInitialFocus } from '../components/initial-focus';
import { ModalFooter } from '../components/modal-footer';
import { OneTimeSecret } from '../components/one-time-secret';
import { useSubmission } from '../components/submission';
import { roleOptions } from '../format';
import { useSignedIn } from '../session';

const MAX_NAME = 100;

export function CreateAccessKeyModal({ onCreated, onDismiss }: { onCreated: () => void; onDismiss: () => void }) {
  const { api } = useSignedIn();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('read-only');
  const [accountId, setAccountId] = useState('');
  const { submitted, busy, error, submit } = useSubmission();
  const [created, setCreated] = useState<CreatedAccessKey>();
  const input = useInitialFocus<InputProps.Ref>();

  const trimmed = name.trim();
  const problem = !trimmed ? 'Name the key after what uses it, such as “billing export”.' : trimmed.length > MAX_NAME ? `Use at most ${MAX_NAME} characters.` : undefined;

  const create = () =>
    submit(problem, async () => {
      setCreated((await api.createAccessKey({ Name: trimmed, Role: role, ...(accountId && { AccountId: accountId }) })).AccessKey);
      onCreated();
    });

  return (
    <Modal
      visible
      size="medium"
      header="Create access key"
      closeAriaLabel="Close dialog"
      onDismiss={() => !busy && onDismiss()}
      data-testid="create-access-key-modal"
      footer={
        created ? (
          <Box float="right">
            <Button variant="primary" onClick={onDismiss}>
              I have stored the secret
            </Button>
          </Box>
        ) : (
          <ModalFooter label="Create" onAction={() => void create()} onCancel={onDismiss} busy={busy} />
        )
      }
    >
      {created ? (
        <SpaceBetween size="m">
          <Alert type="warning" header="The secret access key is shown only now">
            Copy it and store it where the program that uses “{created.Name}” reads it. Carillon keeps it sealed and cannot show it again; if it
            is lost, revoke this key and create another.
          </Alert>
          <OneTimeSecret label="Access key ID" value={created.AccessKeyId} data-testid="created-access-key-id" />
          <OneTimeSecret
            label="Secret access key"
            value={created.SecretAccessKey}
            description="Sign requests with it as AWS Signature Version 4 (service chime, any region)."
            data-testid="created-secret-access-key"
          />
        </SpaceBetween>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void create();
          }}
        >
          <SpaceBetween size="m">
            {error && <ErrorAlert header="The access key was not created" error={error} />}
            <FormField label="Name" description="What uses the key, so that the list and the audit log say so." constraintText={`Up to ${MAX_NAME} characters.`} errorText={submitted ? problem : undefined}>
              <Input ref={input} value={name} onChange={({ detail }) => setName(detail.value)} autoComplete={false} />
            </FormField>
            <FormField label="Role">
              <Select
                selectedOption={roleOptions.find((o) => o.value === role) ?? null}
                options={roleOptions}
                onChange={({ detail }) => setRole((detail.selectedOption.value as Role | undefined) ?? role)}
              />
            </FormField>
            <FormField label="Limited to" description="A key limited to one account sees and changes only that account.">
              <AccountSelect accountId={accountId} noneLabel="All accounts" onChange={setAccountId} />
            </FormField>
          </SpaceBetween>
        </form>
      )}
    </Modal>
  );
}
