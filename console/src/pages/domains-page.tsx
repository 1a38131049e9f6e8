// Identity → Domains, as in Chime's console: the account's claims with their status and last DNS check in words,
// the TXT record to publish with copy buttons, "Verify now", claiming a domain, and "Remove domain" with a
// confirmation that says how many people will be signed out, and which become Released or stay Suspended.
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input, { type InputProps } from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import { useEffect, useState } from 'react';
import type { ApiError, Domain } from '../api';
import { ConfirmModal } from '../components/confirm-modal';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { useInitialFocus } from '../components/initial-focus';
import { ModalFooter } from '../components/modal-footer';
import { useSubmission } from '../components/submission';
import { Page } from '../components/page';
import { accountTypeLabels, formatCount, formatDateTime, plural } from '../format';
import { useSignedIn } from '../session';
import { useRequest } from '../use-request';
import { AccountHeader, accountCrumbs, useOpenAccount } from './account-layout';

const statuses: Record<Domain['Status'], { type: StatusIndicatorProps.Type; text: string }> = {
  PendingVerification: { type: 'pending', text: 'Pending verification' },
  Verified: { type: 'success', text: 'Verified' },
  Failed: { type: 'error', text: 'Failed' },
};

/** What the last look at DNS saw, said to an administrator. */
export function lastCheckInWords(d: Domain): string {
  if (!d.LastCheckResult) return 'Not checked yet: the first check is a minute after claiming.';
  switch (d.LastCheckResult) {
    case 'Found':
      return 'The TXT record is published with the right value.';
    case 'NotFound':
      return d.Status === 'Verified'
        ? 'The TXT record has disappeared. The domain stays verified; publish the record again.'
        : 'No TXT record was found at this name yet. Publish it at your DNS provider; changes can take a while to appear.';
    case 'WrongValue':
      return d.Status === 'Verified'
        ? 'The TXT record now has a different value. The domain stays verified; publish the value shown again.'
        : 'A TXT record is there, but not with this value. Check that the whole value was copied, without quotes or spaces.';
    case 'Timeout':
      return 'The DNS servers did not answer in time. Nothing is wrong with the claim: it is checked again.';
    case 'ServerFailure':
      return 'The DNS server reported a failure for this name. Nothing is wrong with the claim: it is checked again.';
    case 'ClaimedByAnotherAccount':
      return 'Another organization verified this domain first, so it belongs to their account.';
  }
}

function failureInWords(d: Domain): string {
  return d.LastCheckResult === 'ClaimedByAnotherAccount' ? lastCheckInWords(d) : 'The record was not seen within 30 days of claiming. Claim the domain again to start over.';
}

export function DomainsPage() {
  const { account } = useOpenAccount();
  return (
    <Page account={account} breadcrumbs={accountCrumbs(account, 'Domains')}>
      <SpaceBetween size="l">
        <AccountHeader account={account} />
        <DomainsTable />
      </SpaceBetween>
    </Page>
  );
}

function DomainsTable() {
  const { account, setAccount } = useOpenAccount();
  const { api, can } = useSignedIn();
  const { notify, notifyError } = useFlash();
  const request = useRequest(async (api) => {
    const all: Domain[] = [];
    for (let token: string | undefined; ; ) {
      const page = await api.listDomains(account.AccountId, token);
      all.push(...page.Domains);
      if (!page.NextToken) return all;
      token = page.NextToken;
    }
  }, [account.AccountId]);
  const [claiming, setClaiming] = useState(false);
  const [removing, setRemoving] = useState<Domain>();
  const [verifying, setVerifying] = useState<string>();
  const domains = request.data ?? [];

  /** The account's type follows its domains: show the change at once. */
  async function refreshAccount() {
    const { Account } = await api.getAccount(account.AccountId);
    if (Account.AccountType !== account.AccountType) {
      notify({ type: 'info', header: `${Account.Name} is now ${/^[AEIOU]/.test(accountTypeLabels[Account.AccountType]) ? 'an' : 'a'} ${accountTypeLabels[Account.AccountType]} account.` });
    }
    setAccount(Account);
  }

  async function verify(d: Domain) {
    setVerifying(d.DomainName);
    try {
      const { Domain: checked } = await api.verifyDomain(account.AccountId, d.DomainName);
      if (checked.Status === 'Verified' && d.Status !== 'Verified') notify({ type: 'success', header: `${checked.DomainName} is verified.`, content: `People with an @${checked.DomainName} address now belong to this account.` });
      else notify({ type: checked.LastCheckResult === 'Found' ? 'success' : 'warning', header: `${checked.DomainName}: ${statuses[checked.Status].text.toLowerCase()}`, content: lastCheckInWords(checked) });
      request.reload();
      await refreshAccount();
    } catch (e) {
      notifyError(`${d.DomainName} was not checked`, toApiError(e));
    }
    setVerifying(undefined);
  }

  const columns: TableProps.ColumnDefinition<Domain>[] = [
    { id: 'name', header: 'Domain', cell: (d) => <Box fontWeight="bold">{d.DomainName}</Box> },
    {
      id: 'status',
      header: 'Status',
      cell: (d) => (
        <StatusIndicator type={d.Status === 'Verified' && d.RecordMissingSince ? 'warning' : statuses[d.Status].type}>
          {d.Status === 'Verified' && d.RecordMissingSince ? 'Verified, record missing' : statuses[d.Status].text}
        </StatusIndicator>
      ),
    },
    {
      id: 'check',
      header: 'Last check',
      cell: (d) => (
        <SpaceBetween size="xxxs">
          <Box>{d.Status === 'Failed' ? failureInWords(d) : lastCheckInWords(d)}</Box>
          <Box variant="small" color="text-body-secondary">
            {d.LastCheckedTimestamp ? `Checked ${formatDateTime(d.LastCheckedTimestamp)}` : ''}
            {d.NextCheckTimestamp ? `${d.LastCheckedTimestamp ? ' · ' : ''}next check ${formatDateTime(d.NextCheckTimestamp)}` : ''}
            {d.ExpiresTimestamp ? ` · fails if not verified by ${formatDateTime(d.ExpiresTimestamp)}` : ''}
          </Box>
        </SpaceBetween>
      ),
    },
    {
      id: 'record',
      header: 'TXT record to publish',
      cell: (d) => (
        <SpaceBetween size="xxxs">
          <CopyToClipboard variant="inline" textToCopy={d.VerificationRecord.Name} copyButtonAriaLabel={`Copy the record name of ${d.DomainName}`} copySuccessText="Name copied" copyErrorText="Name not copied" />
          <CopyToClipboard variant="inline" textToCopy={d.VerificationRecord.Value} copyButtonAriaLabel={`Copy the record value of ${d.DomainName}`} copySuccessText="Value copied" copyErrorText="Value not copied" />
        </SpaceBetween>
      ),
    },
  ];
  if (can('VerifyDomain') || can('ReleaseDomain')) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      cell: (d) => (
        <SpaceBetween direction="horizontal" size="xs">
          {can('VerifyDomain') && d.Status !== 'Failed' && (
            <Button variant="inline-link" loading={verifying === d.DomainName} onClick={() => void verify(d)} ariaLabel={`Verify ${d.DomainName} now`}>
              Verify now
            </Button>
          )}
          {can('ReleaseDomain') && (
            <Button variant="inline-link" onClick={() => setRemoving(d)} ariaLabel={`Remove ${d.DomainName}`}>
              Remove domain
            </Button>
          )}
        </SpaceBetween>
      ),
    });
  }

  return (
    <SpaceBetween size="m">
      {request.error && <ErrorAlert header="The domains could not be loaded" error={request.error} />}
      <Table<Domain>
        data-testid="domains-table"
        ariaLabels={{ tableLabel: 'Domains' }}
        header={
          <Header
            counter={request.data ? `(${formatCount(domains.length)})` : undefined}
            description="Claim the email domains your organization owns. Once a domain is verified, everyone with an address in it belongs to this account, and no one else can claim it or invite them."
            actions={
              can('ClaimDomain') && (
                <Button variant="primary" onClick={() => setClaiming(true)} data-testid="claim-domain-button">
                  Claim a domain
                </Button>
              )
            }
          >
            Domains
          </Header>
        }
        loading={request.loading}
        loadingText="Loading domains"
        items={domains}
        trackBy="DomainName"
        columnDefinitions={columns}
        wrapLines
        empty={
          <Box textAlign="center" color="inherit">
            <SpaceBetween size="xxs">
              <Box variant="strong">No domains claimed</Box>
              <Box variant="p" color="inherit">
                A Team account becomes an Enterprise account when its first domain is verified.
              </Box>
            </SpaceBetween>
          </Box>
        }
      />
      {claiming && (
        <ClaimDomainModal
          onDismiss={() => setClaiming(false)}
          onClaimed={(d) => {
            setClaiming(false);
            notify({ type: 'success', header: `${d.DomainName} claimed.`, content: `Publish the TXT record ${d.VerificationRecord.Name} with the value shown, then choose Verify now (it is also checked automatically).` });
            request.reload();
          }}
        />
      )}
      {removing && (
        <RemoveDomainModal
          domain={removing}
          lastVerified={removing.Status === 'Verified' && domains.filter((d) => d.Status === 'Verified').length === 1}
          onDismiss={() => setRemoving(undefined)}
          onRemoved={async () => {
            setRemoving(undefined);
            notify({ type: 'success', header: `${removing.DomainName} removed.` });
            request.reload();
            await refreshAccount();
          }}
        />
      )}
    </SpaceBetween>
  );
}

function ClaimDomainModal({ onClaimed, onDismiss }: { onClaimed: (d: Domain) => void; onDismiss: () => void }) {
  const { account } = useOpenAccount();
  const { api } = useSignedIn();
  const [name, setName] = useState('');
  const { submitted, busy, error, submit } = useSubmission();
  const input = useInitialFocus<InputProps.Ref>();
  const problem = name.trim() ? undefined : 'Enter the domain to claim, such as example.com.';
  const claim = () => submit(problem, async () => onClaimed((await api.claimDomain(account.AccountId, name.trim())).Domain));

  return (
    <Modal
      visible
      header="Claim a domain"
      closeAriaLabel="Close dialog"
      onDismiss={() => !busy && onDismiss()}
      footer={<ModalFooter label="Claim" onAction={() => void claim()} onCancel={onDismiss} busy={busy} />}
      data-testid="claim-domain-modal"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void claim();
        }}
      >
        <SpaceBetween size="m">
          {error && <ErrorAlert header="The domain was not claimed" error={error} />}
          <FormField
            label="Domain"
            description="One domain or subdomain per claim (example.com, eu.example.com). You then publish a TXT record in its DNS to prove it is yours."
            errorText={submitted ? problem : undefined}
          >
            <Input ref={input} value={name} placeholder="example.com" onChange={({ detail }) => setName(detail.value)} />
          </FormField>
        </SpaceBetween>
      </form>
    </Modal>
  );
}

type Affected = { registered: number; suspended: number; others: number; capped: boolean };

function RemoveDomainModal({ domain, lastVerified, onRemoved, onDismiss }: { domain: Domain; lastVerified: boolean; onRemoved: () => Promise<void>; onDismiss: () => void }) {
  const { account } = useOpenAccount();
  const { api } = useSignedIn();
  const [affected, setAffected] = useState<Affected>();
  const [error, setError] = useState<ApiError>();

  useEffect(() => {
    if (domain.Status !== 'Verified') return;
    let current = true;
    Promise.all([
      api.countUsers(account.AccountId, { emailDomain: domain.DomainName, registrationStatus: 'Registered' }),
      api.countUsers(account.AccountId, { emailDomain: domain.DomainName, registrationStatus: 'Suspended' }),
      api.countUsers(account.AccountId, { registrationStatus: 'Registered' }),
    ]).then(
      ([registered, suspended, all]) =>
        current && setAffected({ registered: registered.UserCount, suspended: suspended.UserCount, others: Math.max(0, all.UserCount - registered.UserCount), capped: registered.Capped || suspended.Capped || all.Capped }),
      (e) => current && setError(toApiError(e)),
    );
    return () => {
      current = false;
    };
  }, [api, account.AccountId, domain.DomainName, domain.Status]);

  async function remove() {
    try {
      await api.releaseDomain(account.AccountId, domain.DomainName);
      await onRemoved();
    } catch (e) {
      setError(toApiError(e));
    }
  }

  return (
    <ConfirmModal
      title={`Remove ${domain.DomainName}`}
      confirmLabel="Remove domain"
      onConfirm={remove}
      onDismiss={onDismiss}
      typeToConfirm={domain.Status === 'Verified' ? { label: 'Type the domain to confirm', value: domain.DomainName } : undefined}
      data-testid="remove-domain-modal"
    >
      <SpaceBetween size="s">
        {error && <ErrorAlert header="The domain was not removed" error={error} />}
        {domain.Status !== 'Verified' ? (
          <Box>This claim is not verified: removing it affects no one.</Box>
        ) : !affected ? (
          <StatusIndicator type="loading">Counting the people of {domain.DomainName}</StatusIndicator>
        ) : (
          <>
            <div data-testid="remove-domain-effect">
              <Box>
              {plural(affected.registered + affected.suspended, 'person', 'people')}
              {affected.capped ? ' or more' : ''} with an @{domain.DomainName} address will be signed out on every device at once.{' '}
              {plural(affected.registered, 'registered member')} become Released: they lose access to the account and may register again.{' '}
              {plural(affected.suspended, 'suspended member')} stay Suspended, and their addresses stay blocked.
              </Box>
            </div>
            {lastVerified && (
              <Alert type="warning" header="This is the account's last verified domain">
                {account.Name} becomes a Team account again, and its {plural(affected.others, 'other registered member')} with addresses outside{' '}
                {domain.DomainName} will be suspended.
              </Alert>
            )}
          </>
        )}
      </SpaceBetween>
    </ConfirmModal>
  );
}
