// An account's settings: the summary with rename, default license and delete (Account tab), and the meeting
// policies (Meetings tab). The open tab is in the URL (?tab=meetings).
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Tabs from '@cloudscape-design/components/tabs';
import Toggle from '@cloudscape-design/components/toggle';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Account, AccountSettings } from '../api';
import { ConfirmModal } from '../components/confirm-modal';
import { LicensePicker } from '../components/license-picker';
import { AccountNameModal } from '../components/account-name-modal';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { Page } from '../components/page';
import { RouterLink } from '../components/router-link';
import { StatusText } from '../components/status';
import { accountTypeLabels, formatDateTime } from '../format';
import { useSignedIn } from '../session';
import { useUrlQuery } from '../url-state';
import { useRequest } from '../use-request';
import { AccountHeader, accountCrumbs, useOpenAccount } from './account-layout';

export function AccountSettingsPage() {
  const { account } = useOpenAccount();
  const query = useUrlQuery();
  const tab = query.get('tab') === 'meetings' ? 'meetings' : 'account';

  return (
    <Page
      account={account}
      breadcrumbs={accountCrumbs(account, 'Settings')}
    >
      <ContentLayout header={<AccountHeader account={account} />}>
        <Tabs
          ariaLabel="Account settings"
          activeTabId={tab}
          onChange={({ detail }) => query.update({ tab: detail.activeTabId === 'meetings' ? 'meetings' : undefined })}
          tabs={[
            { id: 'account', label: 'Account', content: <AccountTab /> },
            { id: 'meetings', label: 'Meetings', content: <MeetingsTab /> },
          ]}
        />
      </ContentLayout>
    </Page>
  );
}

function AccountTab() {
  const { account, setAccount } = useOpenAccount();
  const { can } = useSignedIn();
  const [dialog, setDialog] = useState<'rename' | 'delete'>();

  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header
            variant="h2"
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                {can('UpdateAccount') && <Button onClick={() => setDialog('rename')}>Rename account</Button>}
                {can('DeleteAccount') && (
                  <Button onClick={() => setDialog('delete')} data-testid="delete-account-button">
                    Delete account
                  </Button>
                )}
              </SpaceBetween>
            }
          >
            Account summary
          </Header>
        }
      >
        <KeyValuePairs
          columns={3}
          items={[
            { label: 'Name', value: account.Name },
            { label: 'Account ID', value: account.AccountId },
            { label: 'Type', value: accountTypeLabels[account.AccountType] ?? account.AccountType },
            { label: 'Status', value: <StatusText status={account.AccountStatus} /> },
            { label: 'Default license', value: account.DefaultLicense ?? '-' },
            { label: 'Created', value: formatDateTime(account.CreatedTimestamp) },
          ]}
        />
      </Container>
      {can('UpdateAccount') && <DefaultLicenseEditor account={account} onSaved={setAccount} />}
      {dialog === 'rename' && <RenameAccountModal account={account} onRenamed={setAccount} onDismiss={() => setDialog(undefined)} />}
      {dialog === 'delete' && <DeleteAccountModal account={account} onDismiss={() => setDialog(undefined)} />}
    </SpaceBetween>
  );
}

function DefaultLicenseEditor({ account, onSaved }: { account: Account; onSaved: (account: Account) => void }) {
  const { api } = useSignedIn();
  const { notify, notifyError } = useFlash();
  return (
    <LicensePicker
      title="Default license"
      description="New users, and invitees when they accept, get this license."
      saveLabel="Save default license"
      current={account.DefaultLicense ?? 'Pro'}
      onSave={async (license) => {
        try {
          const { Account: updated } = await api.updateAccount(account.AccountId, { DefaultLicense: license });
          onSaved(updated);
          notify({ type: 'success', header: `The default license of “${updated.Name}” is now ${updated.DefaultLicense ?? license}.` });
        } catch (e) {
          notifyError('The default license was not changed', toApiError(e));
        }
      }}
    />
  );
}

function RenameAccountModal({ account, onRenamed, onDismiss }: { account: Account; onRenamed: (a: Account) => void; onDismiss: () => void }) {
  const { api } = useSignedIn();
  const { notify } = useFlash();
  return (
    <AccountNameModal
      header="Rename account"
      submitLabel="Rename"
      description="Invitation emails show this name."
      failure="The account was not renamed"
      initialName={account.Name}
      onDismiss={onDismiss}
      onSubmit={async (name) => {
        const { Account: updated } = await api.updateAccount(account.AccountId, { Name: name });
        onRenamed(updated);
        notify({ type: 'success', header: `Account renamed to “${updated.Name}”.` });
        onDismiss();
      }}
    />
  );
}

/** What must happen before the server deletes an account, which depends on its type. */
function deletionPrecondition(account: Account): string {
  return account.AccountType === 'Team'
    ? 'Remove every registered or suspended user first: on the Users page, select them and choose Actions → Remove users.'
    : 'Release the claimed domains first: an Enterprise account can be deleted only once it has no claimed domain.';
}

function DeleteAccountModal({ account, onDismiss }: { account: Account; onDismiss: () => void }) {
  const { api } = useSignedIn();
  const { notify, notifyError } = useFlash();
  const navigate = useNavigate();

  async function remove() {
    try {
      await api.deleteAccount(account.AccountId);
      navigate('/accounts');
      notify({
        type: 'success',
        header: `Account “${account.Name}” deleted.`,
        content: (
          <>
            It can be restored within 90 days from <RouterLink to="/deleted-accounts">Deleted accounts</RouterLink>.
          </>
        ),
      });
    } catch (e) {
      notifyError(`Account “${account.Name}” was not deleted`, toApiError(e));
      onDismiss();
    }
  }

  return (
    <ConfirmModal
      title="Delete account"
      confirmLabel="Delete"
      typeToConfirm={{ label: 'Account name', value: account.Name }}
      onConfirm={remove}
      onDismiss={onDismiss}
      data-testid="delete-account-modal"
    >
      <SpaceBetween size="xs">
        <Box>
          Delete “{account.Name}”? Its users lose access and their content is erased. The account stays restorable for 90 days under Deleted
          accounts.
        </Box>
        <Box variant="small">{deletionPrecondition(account)}</Box>
      </SpaceBetween>
    </ConfirmModal>
  );
}

function MeetingsTab() {
  const { account } = useOpenAccount();
  const { api, can } = useSignedIn();
  const { notify, notifyError } = useFlash();
  const request = useRequest((api) => api.getAccountSettings(account.AccountId).then((r) => r.AccountSettings), [account.AccountId]);
  const [draft, setDraft] = useState<MeetingPolicies>({ sharedControl: true, dialOut: false });
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (request.data) setDraft(policiesOf(request.data));
  }, [request.data]);

  if (request.error) return <ErrorAlert header="The meeting settings could not be loaded" error={request.error} />;
  if (!request.data) return <StatusIndicator type="loading">Loading meeting settings</StatusIndicator>;

  const editable = can('UpdateAccountSettings');
  const saved = policiesOf(request.data);
  const changed = draft.sharedControl !== saved.sharedControl || draft.dialOut !== saved.dialOut;

  async function save() {
    setSaving(true);
    try {
      const settings = settingsOf(draft);
      await api.updateAccountSettings(account.AccountId, settings);
      request.setData(settings);
      notify({ type: 'success', header: 'Meeting settings saved.' });
    } catch (e) {
      notifyError('The meeting settings were not saved', toApiError(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Container
      header={
        <Header
          variant="h2"
          description="Policies for every meeting hosted by this account's users."
          actions={
            editable && (
              <Button variant="primary" onClick={save} loading={saving} disabled={!changed}>
                Save
              </Button>
            )
          }
        >
          Meeting settings
        </Header>
      }
    >
      <SpaceBetween size="m">
        <Toggle
          checked={draft.sharedControl}
          readOnly={!editable}
          onChange={({ detail }) => setDraft({ ...draft, sharedControl: detail.checked })}
          description="Attendees can ask to control a presenter's shared screen, and the presenter can grant it."
        >
          Enable shared control in screen sharing
        </Toggle>
        <Toggle
          checked={draft.dialOut}
          readOnly={!editable}
          onChange={({ detail }) => setDraft({ ...draft, dialOut: detail.checked })}
          description="Meetings can call an attendee's phone to join them to the meeting."
        >
          Enable outbound calling to join meetings
        </Toggle>
      </SpaceBetween>
    </Container>
  );
}

/** The meeting policies as Chime's console put them, each one said positively. */
interface MeetingPolicies {
  sharedControl: boolean;
  dialOut: boolean;
}

/** The wire says "DisableRemoteControl": shared control is on unless it is set. */
const policiesOf = (s: AccountSettings): MeetingPolicies => ({ sharedControl: !s.DisableRemoteControl, dialOut: !!s.EnableDialOut });

/** Both values, always: a save states the whole policy, whatever the server held before. */
const settingsOf = (p: MeetingPolicies): Required<AccountSettings> => ({ DisableRemoteControl: !p.sharedControl, EnableDialOut: p.dialOut });
