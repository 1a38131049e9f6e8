// Status values shown with the icon and colour Cloudscape uses for their meaning.
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import type { Account, EmailStatus, InvitationStatus, RegistrationStatus } from '../api';

/** The wire's statuses, and the console's words for an administrator or access key that no longer works. */
type Status = NonNullable<Account['AccountStatus']> | RegistrationStatus | InvitationStatus | EmailStatus | 'Disabled' | 'Revoked';

const indicatorTypes: Record<Status, StatusIndicatorProps.Type> = {
  Active: 'success',
  Suspended: 'stopped',
  Registered: 'success',
  Unregistered: 'pending',
  Released: 'stopped',
  Pending: 'pending',
  Accepted: 'success',
  Failed: 'error',
  NotSent: 'pending',
  Sent: 'success',
  Disabled: 'stopped',
  Revoked: 'stopped',
};

const displayText: Partial<Record<Status, string>> = { NotSent: 'Not sent' };

export function StatusText({ status }: { status: Status | undefined }) {
  if (!status) return <>-</>;
  return <StatusIndicator type={indicatorTypes[status] ?? 'info'}>{displayText[status] ?? status}</StatusIndicator>;
}
