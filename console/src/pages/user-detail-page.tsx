// One user: their details and invitation, and the actions on them (reset personal PIN and sign out everywhere for
// someone who has registered, resend the invitation to someone who has not, change license).
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import type { Account, User } from '../api';
import { ConfirmModal } from '../components/confirm-modal';
import { LicensePicker } from '../components/license-picker';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { Page } from '../components/page';
import { useEmailStatusNote } from '../components/email-status';
import { StatusText } from '../components/status';
import { formatDateTime, isDirectoryManaged, userTypeLabels } from '../format';
import { useSignedIn } from '../session';
import { useRequest } from '../use-request';
import { accountCrumbs, accountPath, useOpenAccount } from './account-layout';
import { InvitationDetails } from './invitation-details';

export function UserDetailPage() {
  const { account } = useOpenAccount();
  const { userId = '' } = useParams();
  const { api, can } = useSignedIn();
  const { notify, notifyError } = useFlash();
  const emailNote = useEmailStatusNote();
  const [confirming, setConfirming] = useState<'reset-pin' | 'logout' | 'resend'>();
  const request = useRequest((api) => api.getUser(account.AccountId, userId).then((r) => r.User), [account.AccountId, userId]);
  const user = request.data?.UserId === userId ? request.data : undefined;
  const invitationRequest = useRequest((api) => api.getUserInvitation(account.AccountId, userId).then((r) => r.Invitation), [account.AccountId, userId]);

  const breadcrumbs = [
    ...accountCrumbs(account, 'Users'),
    { text: user?.PrimaryEmail ?? userId, to: accountPath(account, `/users/${encodeURIComponent(userId)}`) },
  ];

  if (!user) {
    return (
      <Page account={account} breadcrumbs={breadcrumbs}>
        {request.error ? (
          <ErrorAlert header="The user could not be loaded" error={request.error} />
        ) : (
          <StatusIndicator type="loading">Loading user</StatusIndicator>
        )}
      </Page>
    );
  }

  async function resetPin(target: User) {
    try {
      const { User: updated } = await api.resetPersonalPin(account.AccountId, target.UserId);
      request.setData(updated);
      notify({
        type: 'success',
        header: `Personal PIN of ${updated.PrimaryEmail} reset.`,
        content: `The new personal PIN is ${updated.PersonalPIN ?? '(not shown)'}. Meetings scheduled with the old PIN need the new one.`,
      });
    } catch (e) {
      notifyError('The personal PIN was not reset', toApiError(e));
    }
    setConfirming(undefined);
  }

  async function logOut(target: User) {
    try {
      await api.logoutUser(account.AccountId, target.UserId);
      notify({ type: 'success', header: `${target.PrimaryEmail} is signed out on every device.` });
    } catch (e) {
      notifyError('The user was not signed out', toApiError(e));
    }
    setConfirming(undefined);
  }

  async function resend(target: User) {
    try {
      const [invite] = (await api.inviteUsers(account.AccountId, [target.PrimaryEmail])).Invites;
      if (invite?.Status === 'Failed') {
        notify({ type: 'error', header: `The invitation to ${target.PrimaryEmail} failed.`, content: 'Another organization has claimed the address’s email domain.' });
      } else {
        notify({
          type: 'success',
          header: `A new invitation was sent to ${target.PrimaryEmail}.`,
          content: `The link in the earlier invitation no longer works.${invite?.EmailStatus === 'NotSent' ? ` ${emailNote('NotSent')}` : ''}`,
        });
      }
      request.reload();
      invitationRequest.reload();
    } catch (e) {
      notifyError('The invitation was not resent', toApiError(e));
    }
    setConfirming(undefined);
  }

  // Someone who has not registered has no sessions and no personal PIN yet; what they can get is a new invitation.
  const registered = user.UserRegistrationStatus !== 'Unregistered';
  const canResend = !registered && account.AccountType === 'Team' && can('InviteUsers');
  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      {registered && can('LogoutUser') && <Button onClick={() => setConfirming('logout')}>Log out user</Button>}
      {registered && can('ResetPersonalPIN') && <Button onClick={() => setConfirming('reset-pin')}>Reset personal PIN</Button>}
    </SpaceBetween>
  );

  return (
    <Page account={account} breadcrumbs={breadcrumbs}>
      <ContentLayout header={<Header variant="h1" actions={actions} description={user.DisplayName}>{user.PrimaryEmail}</Header>}>
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">User details</Header>}>
            <KeyValuePairs
              columns={3}
              items={[
                { label: 'Email', value: user.PrimaryEmail },
                { label: 'Name', value: user.DisplayName ?? '-' },
                { label: 'User ID', value: user.UserId },
                { label: 'Status', value: <StatusText status={user.UserRegistrationStatus} /> },
                { label: 'License', value: user.LicenseType },
                { label: 'Type', value: userTypeLabels[user.UserType] ?? user.UserType },
                { label: 'Registered on', value: formatDateTime(user.RegisteredOn) },
                { label: 'Invited on', value: formatDateTime(user.InvitedOn) },
                { label: 'Personal PIN', value: user.PersonalPIN ?? '-' },
              ]}
            />
          </Container>
          {can('UpdateUser') && (
            <LicenseEditor
              account={account}
              user={user}
              onSaved={(updated) => {
                request.setData(updated);
                // An invitee keeps a license chosen for them: the invitation now says so.
                invitationRequest.reload();
              }}
            />
          )}
          <InvitationDetails
            user={user}
            invitation={invitationRequest.loading ? undefined : invitationRequest.data}
            error={invitationRequest.error}
            actions={canResend && <Button onClick={() => setConfirming('resend')}>Resend invitation</Button>}
          />
        </SpaceBetween>
      </ContentLayout>

      {confirming === 'reset-pin' && (
        <ConfirmModal title="Reset personal PIN" confirmLabel="Reset PIN" onConfirm={() => resetPin(user)} onDismiss={() => setConfirming(undefined)}>
          Give {user.PrimaryEmail} a new personal meeting PIN? The old PIN stops working, and every meeting they scheduled with it needs the new
          one.
        </ConfirmModal>
      )}
      {confirming === 'resend' && (
        <ConfirmModal title="Resend invitation" confirmLabel="Resend" onConfirm={() => resend(user)} onDismiss={() => setConfirming(undefined)}>
          Send {user.PrimaryEmail} a new invitation to “{account.Name}”? The link in the earlier invitation stops working; the new email has a
          fresh link.
        </ConfirmModal>
      )}
      {confirming === 'logout' && (
        <ConfirmModal title="Log out user" confirmLabel="Log out" onConfirm={() => logOut(user)} onDismiss={() => setConfirming(undefined)}>
          Sign {user.PrimaryEmail} out on every device? They can sign in again; to keep them out, suspend or remove them.
        </ConfirmModal>
      )}
    </Page>
  );
}

function LicenseEditor({ account, user, onSaved }: { account: Account; user: User; onSaved: (user: User) => void }) {
  const { api } = useSignedIn();
  const { notify, notifyError } = useFlash();

  if (isDirectoryManaged(account.AccountType)) {
    return (
      <Container header={<Header variant="h2">License</Header>}>
        <Box>
          This user’s license is {user.LicenseType}. In this account licenses follow the directory groups mapped to Basic and Pro, so change
          the user’s group membership in the identity provider instead.
        </Box>
      </Container>
    );
  }
  return (
    <LicensePicker
      title="License"
      description="Basic users can join meetings but not host them."
      saveLabel="Save license"
      current={user.LicenseType}
      onSave={async (license) => {
        try {
          const { User: updated } = await api.updateUser(account.AccountId, user.UserId, license);
          onSaved(updated);
          notify({ type: 'success', header: `${updated.PrimaryEmail} now has the ${updated.LicenseType} license.` });
        } catch (e) {
          notifyError('The license was not changed', toApiError(e));
        }
      }}
    />
  );
}
