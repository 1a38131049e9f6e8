// A member's latest invitation on their detail page: where it stands in words, whether its email went out (and
// why not), and for someone who has not accepted yet the license they will have when they do.
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import type { ReactNode } from 'react';
import type { ApiError, Invitation, User } from '../api';
import { EmailStatusText } from '../components/email-status';
import { ErrorAlert } from '../components/error-explanation';
import { formatDateTime } from '../format';

const states: Record<Invitation['State'], { type: StatusIndicatorProps.Type; text: string }> = {
  pending: { type: 'pending', text: 'Pending: the link works until it expires' },
  accepted: { type: 'success', text: 'Accepted' },
  expired: { type: 'stopped', text: 'Expired: the link no longer works' },
  revoked: { type: 'stopped', text: 'Withdrawn by an administrator' },
  invitee_removed: { type: 'stopped', text: 'Ended: the person was removed from the account' },
  account_deleted: { type: 'stopped', text: 'Ended: the account was deleted' },
  superseded: { type: 'stopped', text: 'Replaced by a newer invitation' },
  domain_claimed: { type: 'stopped', text: "Ended: another organization claimed the invitee's email domain" },
};

function licenseOnAcceptance(invitation: Invitation): ReactNode {
  return (
    <>
      {invitation.LicenseOnAcceptance}{' '}
      <Box variant="small" display="inline" color="text-body-secondary">
        {invitation.LicenseChosenByAdministrator
          ? '(chosen by an administrator)'
          : '(the account’s default license; if the default changes before they accept, they get the new one)'}
      </Box>
    </>
  );
}

interface InvitationDetailsProps {
  user: User;
  invitation: Invitation | undefined;
  error: ApiError | undefined;
  /** Resending, or another action on the invitation, shown in the header. */
  actions?: ReactNode;
}

export function InvitationDetails({ user, invitation, error, actions }: InvitationDetailsProps) {
  let content;
  if (error?.reason === 'invitation.invalid') {
    content = <Box>This user was never invited: they joined by registering with an address in a claimed domain, or through a directory.</Box>;
  } else if (error) {
    content = <ErrorAlert header="The invitation could not be loaded" error={error} />;
  } else if (!invitation) {
    content = <StatusIndicator type="loading">Loading invitation</StatusIndicator>;
  } else {
    const state = states[invitation.State];
    content = (
      <KeyValuePairs
        columns={3}
        items={[
          { label: 'Invitation status', value: <StatusIndicator type={state.type}>{state.text}</StatusIndicator> },
          { label: 'Email status', value: <EmailStatusText status={invitation.EmailStatus} /> },
          { label: 'Sent to', value: invitation.EmailAddress },
          ...(user.UserRegistrationStatus === 'Unregistered' ? [{ label: 'License on accepting', value: licenseOnAcceptance(invitation) }] : []),
          { label: 'Invitation date', value: formatDateTime(invitation.InvitedOn) },
          { label: 'Expires on', value: formatDateTime(invitation.ExpiresOn) },
          { label: 'Invitation ID', value: <span data-testid="invitation-id">{invitation.InviteId}</span> },
        ]}
      />
    );
  }
  return (
    <Container header={<Header variant="h2" actions={actions}>Invitation</Header>} data-testid="invitation-details">
      {content}
    </Container>
  );
}
