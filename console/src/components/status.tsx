// Status values shown with the icon and colour Cloudscape uses for their meaning.
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import type { Account, EmailStatus, InvitationStatus, RegistrationStatus } from '../api';

type Status = NonNullable<Account['AccountStatus']> | RegistrationStatus | InvitationStatus | EmailStatus;

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
};

const displayText: Partial<Record<Status, string>> = { NotSent: 'Not sent' };

export function StatusText({ status }: { status: Status | undefined }) {
  if (!status) return <>-</>;
  return <StatusIndicator type={indicatorTypes[status] ?? 'info'}>{displayText[status] ?? status}</StatusIndicator>;
}
