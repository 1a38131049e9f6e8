// Inviting people to a Team account by email: several addresses at once, checked before sending, and the
// server's answer for each address afterwards.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Textarea, { type TextareaProps } from '@cloudscape-design/components/textarea';
import { useState } from 'react';
import type { Account, ApiError, Invite } from '../api';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { useInitialFocus } from '../components/initial-focus';
import { ModalFooter } from '../components/modal-footer';
import { NO_RELAY } from '../components/email-status';
import { StatusText } from '../components/status';
import { plural } from '../format';
import { useSignedIn } from '../session';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_ADDRESSES = 50;

/** Addresses separated by commas, semicolons, spaces or new lines; repeats (in any letter case) count once. */
function parseAddresses(text: string): { addresses: string[]; invalid: string[] } {
  const seen = new Set<string>();
  const addresses: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    if (part && !seen.has(part.toLowerCase())) {
      seen.add(part.toLowerCase());
      addresses.push(part);
    }
  }
  return { addresses, invalid: addresses.filter((a) => !EMAIL.test(a) || a.length > 254) };
}

function addressProblem({ addresses, invalid }: ReturnType<typeof parseAddresses>): string | undefined {
  if (addresses.length === 0) return 'Enter at least one email address.';
  if (invalid.length > 0) return `${invalid.length === 1 ? 'This is not an email address' : 'These are not email addresses'}: ${invalid.join(', ')}`;
  if (addresses.length > MAX_ADDRESSES) return `Invite at most ${MAX_ADDRESSES} addresses at a time; there are ${addresses.length}.`;
  return undefined;
}

interface InviteUsersModalProps {
  account: Account;
  onDismiss: () => void;
  onInvited: () => void;
}

export function InviteUsersModal({ account, onDismiss, onInvited }: InviteUsersModalProps) {
  const { api } = useSignedIn();
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [invites, setInvites] = useState<Invite[]>();
  const textarea = useInitialFocus<TextareaProps.Ref>();

  const parsed = parseAddresses(text);
  const problem = addressProblem(parsed);

  async function invite() {
    setSubmitted(true);
    if (problem) return;
    setBusy(true);
    setError(undefined);
    try {
      setInvites((await api.inviteUsers(account.AccountId, parsed.addresses)).Invites);
      onInvited();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  }

  function inviteMore() {
    setInvites(undefined);
    setText('');
    setSubmitted(false);
  }

  const footer = invites ? (
    <Box float="right">
      <SpaceBetween direction="horizontal" size="xs">
        <Button onClick={inviteMore}>Invite more</Button>
        <Button variant="primary" onClick={onDismiss}>
          Close
        </Button>
      </SpaceBetween>
    </Box>
  ) : (
    <ModalFooter label="Invite" onAction={() => void invite()} onCancel={onDismiss} busy={busy} />
  );

  return (
    <Modal
      visible
      size="large"
      header="Invite users"
      closeAriaLabel="Close dialog"
      onDismiss={() => !busy && onDismiss()}
      data-testid="invite-users-modal"
      footer={footer}
    >
      {invites ? (
        <InviteResults invites={invites} />
      ) : (
        <SpaceBetween size="m">
          {error && <ErrorAlert header="Nobody was invited" error={error} />}
          <FormField
            label="Email addresses"
            description={`Each person gets an email inviting them to “${account.Name}”. Separate addresses with commas, spaces or new lines.`}
            constraintText={`Up to ${MAX_ADDRESSES} addresses${parsed.addresses.length ? `; ${plural(parsed.addresses.length, 'address', 'addresses')} entered` : ''}.`}
            errorText={submitted ? problem : undefined}
          >
            <Textarea ref={textarea} value={text} onChange={({ detail }) => setText(detail.value)} rows={6} placeholder="alice@example.com, bob@example.com" />
          </FormField>
        </SpaceBetween>
      )}
    </Modal>
  );
}

function InviteResults({ invites }: { invites: Invite[] }) {
  const { mailRelayConfigured } = useSignedIn();
  const failed = invites.filter((i) => i.Status === 'Failed').length;
  return (
    <SpaceBetween size="s">
      <Table<Invite>
        data-testid="invite-results-table"
        variant="embedded"
        ariaLabels={{ tableLabel: 'Invitation results' }}
        header={
          <Header variant="h3" counter={`(${invites.length})`} description={failed ? `${plural(failed, 'invitation')} failed.` : undefined}>
            Invitation results
          </Header>
        }
        items={invites}
        trackBy="EmailAddress"
        columnDefinitions={[
          { id: 'email', header: 'Email', cell: (i) => i.EmailAddress },
          { id: 'status', header: 'Status', cell: (i) => <StatusText status={i.Status} /> },
          { id: 'email-status', header: 'Email status', cell: (i) => <StatusText status={i.EmailStatus} /> },
        ]}
      />
      <Box variant="small">
        Accepted means the person is already a member of this account. An invitation fails when another organization has claimed the
        address’s email domain. {mailRelayConfigured ? 'Not sent means the invitation email is queued and goes out shortly.' : `Not sent means the email is waiting for a mail relay: ${NO_RELAY}`}
      </Box>
    </SpaceBetween>
  );
}
