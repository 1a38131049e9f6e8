// What an invitation email's status means on this server: "Not sent" is a short wait when a mail relay is
// configured, and an indefinite one when SMTP_URL is not set (the email waits in the outbox until it is).
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { EmailStatus } from '../api';
import { useSignedIn } from '../session';
import { StatusText } from './status';

/** Why an email has not gone out on a server without a relay, after "waiting for a mail relay: ". */
export const NO_RELAY = 'SMTP_URL is not set on this server, so the email waits in the outbox. It goes out once a relay is configured.';

/** The sentence that explains an email status, or undefined when the status says it all. */
export function useEmailStatusNote(): (status: EmailStatus) => string | undefined {
  const { mailRelayConfigured } = useSignedIn();
  return (status) => {
    if (status === 'NotSent') return mailRelayConfigured ? 'Queued: it goes out shortly.' : `Waiting for a mail relay: ${NO_RELAY}`;
    if (status === 'Failed') return 'The mail relay refused it, or every attempt failed. Check the address, then resend the invitation.';
    return undefined;
  };
}

export function EmailStatusText({ status }: { status: EmailStatus }) {
  const note = useEmailStatusNote()(status);
  return (
    <SpaceBetween size="xxxs">
      <StatusText status={status} />
      {note && (
        <Box variant="small" color="text-body-secondary">
          {note}
        </Box>
      )}
    </SpaceBetween>
  );
}
