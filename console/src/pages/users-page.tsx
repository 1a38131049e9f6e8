// The users of one account: filters and email-prefix search, paging, the count of users the filter matches, batch
// actions on the selected users, CSV export of every page the filter matches, and inviting people to Team accounts.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useEffect, useState } from 'react';
import { registrationStatuses } from '../../../src/users/users-wire.js';
import type { Account, AssignableLicense, RegistrationStatus, User, UserType } from '../api';
import { ConfirmModal } from '../components/confirm-modal';
import { CsvExportButton } from '../components/csv-export-button';
import { ErrorAlert } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { Page } from '../components/page';
import { RouterLink } from '../components/router-link';
import { StatusText } from '../components/status';
import { TokenPagination, useCurrentPageToken } from '../components/token-pagination';
import type { CsvColumn } from '../csv';
import { formatCount, userTypeLabels } from '../format';
import { useSignedIn } from '../session';
import { useUrlQuery } from '../url-state';
import { useRequest } from '../use-request';
import { AccountHeader, accountCrumbs, accountPath, useOpenAccount } from './account-layout';
import { InviteUsersModal } from './invite-users-modal';
import { batchActions, batchMenu, reportBatch, runBatchAction, type BatchActionId } from './user-batch-actions';

const PAGE_SIZE = 50;
/** The API's largest page, for exports; an export holds as many users as CountUsers counts before it says "10,000+". */
const EXPORT_PAGE = 200;
const EXPORT_CAP = 10_000;

const csvColumns: CsvColumn<User>[] = [
  { header: 'Email', value: (u) => u.PrimaryEmail },
  { header: 'Name', value: (u) => u.DisplayName },
  { header: 'Status', value: (u) => u.UserRegistrationStatus },
  { header: 'License', value: (u) => u.LicenseType },
  { header: 'Type', value: (u) => u.UserType },
  { header: 'Invitation', value: (u) => u.UserInvitationStatus },
  { header: 'Registered on (UTC)', value: (u) => u.RegisteredOn },
  { header: 'Invited on (UTC)', value: (u) => u.InvitedOn },
  { header: 'User ID', value: (u) => u.UserId },
];

const statusOptions: SelectProps.Option[] = [{ value: '', label: 'Any status' }, ...registrationStatuses.map((value) => ({ value, label: value }))];
const licenseOptions: SelectProps.Option[] = [
  { value: '', label: 'Any license' },
  { value: 'Pro', label: 'Pro' },
  { value: 'Basic', label: 'Basic' },
];
const typeOptions: SelectProps.Option[] = [
  { value: '', label: 'Any type' },
  { value: 'PrivateUser', label: userTypeLabels.PrivateUser },
  { value: 'SharedDevice', label: userTypeLabels.SharedDevice },
];

const accountTypeNotes: Record<Account['AccountType'], string> = {
  Team: 'People join by invitation. Removing a user takes them out of the account.',
  EnterpriseLWA: 'People with an address in a claimed domain join when they register. Suspended users cannot sign in.',
  EnterpriseDirectory:
    'Users come from Active Directory: their licenses follow the directory groups mapped to Basic and Pro, and they are suspended by disabling them in the directory.',
  EnterpriseOIDC:
    'Users come from Okta: their licenses follow the pushed groups mapped to Basic and Pro, and they are suspended by deactivating them in Okta.',
};

export function UsersPage() {
  const { account } = useOpenAccount();
  const { api, can } = useSignedIn();
  const { notify } = useFlash();
  const query = useUrlQuery();
  const filters = { status: query.get('status'), license: query.get('license'), type: query.get('type'), emailPrefix: query.get('email') };
  const nextToken = useCurrentPageToken();
  const [selected, setSelected] = useState<User[]>([]);
  const [confirming, setConfirming] = useState<BatchActionId>();
  const [running, setRunning] = useState(false);
  const [inviting, setInviting] = useState(false);

  const filterQuery = {
    registrationStatus: (filters.status || undefined) as RegistrationStatus | undefined,
    license: (filters.license || undefined) as AssignableLicense | undefined,
    userType: (filters.type || undefined) as UserType | undefined,
    emailPrefix: filters.emailPrefix || undefined,
  };
  const filterDeps = [account.AccountId, filters.status, filters.license, filters.type, filters.emailPrefix];
  const request = useRequest((api) => api.listUsers(account.AccountId, { ...filterQuery, maxResults: PAGE_SIZE, nextToken }), [...filterDeps, nextToken]);
  const count = useRequest((api) => api.countUsers(account.AccountId, filterQuery), filterDeps);
  const reload = () => {
    request.reload();
    count.reload();
  };
  // A new page or filter shows other users: a selection of users no longer in view would be acted on unseen.
  useEffect(() => setSelected([]), [request.data]);

  const menu = batchMenu(account, can);
  const canInvite = account.AccountType === 'Team' && can('InviteUsers');

  async function run(id: BatchActionId) {
    setRunning(true);
    try {
      const users = selected;
      notify(reportBatch(id, users, await runBatchAction(api, account, id, users)));
      reload();
    } finally {
      setRunning(false);
      setConfirming(undefined);
    }
  }

  const anyFilter = Object.values(filters).some(Boolean);
  const confirmation = confirming && batchActions[confirming].confirmation;
  // "(1,024)", "(10,000+)" past the server's cap, "(2/1,024)" with a selection; no count while it loads.
  const total = count.data && !count.loading ? formatCount(count.data.UserCount, count.data.Capped) : undefined;
  const counter = total !== undefined ? `(${selected.length > 0 ? `${selected.length}/` : ''}${total})` : selected.length > 0 ? `(${selected.length} selected)` : undefined;

  return (
    <Page
      account={account}
      breadcrumbs={accountCrumbs(account, 'Users')}
    >
      <ContentLayout header={<AccountHeader account={account} />}>
        <SpaceBetween size="m">
          {request.error && <ErrorAlert header="The users could not be loaded" error={request.error} />}
          <Table<User>
            data-testid="users-table"
            ariaLabels={{
              tableLabel: 'Users',
              selectionGroupLabel: 'User selection',
              allItemsSelectionLabel: () => 'Select all users on this page',
              itemSelectionLabel: (_, user) => `Select ${user.PrimaryEmail}`,
            }}
            header={
              <Header
                variant="h2"
                counter={counter}
                description={accountTypeNotes[account.AccountType]}
                actions={
                  <SpaceBetween direction="horizontal" size="xs">
                    <CsvExportButton
                      data-testid="users-export"
                      noun={{ one: 'user', many: 'users' }}
                      fileStem={`users-${account.Name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'account'}`}
                      cap={EXPORT_CAP}
                      cappedAdvice="Narrow the filters (status, license, type or email prefix) to export the rest in parts."
                      columns={csvColumns}
                      fetchPage={async (token) => {
                        const page = await api.listUsers(account.AccountId, { ...filterQuery, maxResults: EXPORT_PAGE, nextToken: token });
                        return { items: page.Users, nextToken: page.NextToken };
                      }}
                    />
                    {menu.length > 0 && (
                      <ButtonDropdown
                        data-testid="user-actions"
                        items={menu}
                        disabled={selected.length === 0}
                        disabledReason="Select one or more users first."
                        loading={running}
                        onItemClick={({ detail }) => {
                          const id = detail.id as BatchActionId;
                          if (batchActions[id].confirmation) setConfirming(id);
                          else void run(id);
                        }}
                      >
                        Actions
                      </ButtonDropdown>
                    )}
                    {canInvite && (
                      <Button variant="primary" onClick={() => setInviting(true)} data-testid="invite-users-button">
                        Invite users
                      </Button>
                    )}
                  </SpaceBetween>
                }
              >
                Users
              </Header>
            }
            filter={<UserFilters filters={filters} onChange={(changes) => query.update(changes)} />}
            pagination={<TokenPagination nextToken={request.data?.NextToken} disabled={request.loading} />}
            selectionType={menu.length > 0 ? 'multi' : undefined}
            selectedItems={selected}
            onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
            trackBy="UserId"
            loading={request.loading}
            loadingText="Loading users"
            items={request.data?.Users ?? []}
            columnDefinitions={[
              {
                id: 'email',
                header: 'Email',
                cell: (u) => <RouterLink to={accountPath(account, `/users/${encodeURIComponent(u.UserId)}`)}>{u.PrimaryEmail}</RouterLink>,
              },
              { id: 'name', header: 'Name', cell: (u) => u.DisplayName ?? '-' },
              { id: 'status', header: 'Status', cell: (u) => <StatusText status={u.UserRegistrationStatus} /> },
              { id: 'license', header: 'License', cell: (u) => u.LicenseType },
              { id: 'type', header: 'Type', cell: (u) => userTypeLabels[u.UserType] ?? u.UserType },
              { id: 'invitation', header: 'Invitation', cell: (u) => <StatusText status={u.UserInvitationStatus} /> },
            ]}
            empty={
              <Box textAlign="center" color="inherit">
                <Box variant="strong">{anyFilter ? 'No matching users' : 'No users'}</Box>
                <Box variant="p" color="inherit">
                  {anyFilter
                    ? 'No user matches these filters.'
                    : account.AccountType === 'Team'
                      ? 'Invite people to this account to see them here.'
                      : 'Users appear here once they register.'}
                </Box>
              </Box>
            }
          />
        </SpaceBetween>
      </ContentLayout>

      {confirming && confirmation && (
        <ConfirmModal
          title={confirmation.title}
          confirmLabel={confirmation.confirmLabel}
          onConfirm={() => run(confirming)}
          onDismiss={() => setConfirming(undefined)}
          data-testid="confirm-batch-action"
        >
          <SpaceBetween size="xs">
            <Box>{confirmation.text(selected.length, account)}</Box>
            <Box variant="small">{selected.map((u) => u.PrimaryEmail).join(', ')}</Box>
          </SpaceBetween>
        </ConfirmModal>
      )}
      {inviting && <InviteUsersModal account={account} onDismiss={() => setInviting(false)} onInvited={reload} />}
    </Page>
  );
}

type Filters = { status: string; license: string; type: string; emailPrefix: string };

function UserFilters({ filters, onChange }: { filters: Filters; onChange: (changes: Record<string, string | undefined>) => void }) {
  const [prefix, setPrefix] = useState(filters.emailPrefix);
  // Back and forward navigation change the applied search: show it.
  useEffect(() => setPrefix(filters.emailPrefix), [filters.emailPrefix]);

  const select = (label: string, key: string, value: string, options: SelectProps.Option[]) => (
    <FormField label={label}>
      <Select
        selectedOption={options.find((o) => o.value === value) ?? options[0]!}
        options={options}
        onChange={({ detail }) => onChange({ [key]: detail.selectedOption.value })}
      />
    </FormField>
  );

  return (
    <SpaceBetween direction="horizontal" size="xs" alignItems="end">
      <form
        role="search"
        aria-label="Search users by email"
        onSubmit={(event) => {
          event.preventDefault();
          onChange({ email: prefix.trim() });
        }}
      >
        <SpaceBetween direction="horizontal" size="xs" alignItems="end">
          <FormField label="Email prefix">
            <Input type="search" value={prefix} placeholder="Beginning of an email address" onChange={({ detail }) => setPrefix(detail.value)} />
          </FormField>
          <Button>Search</Button>
        </SpaceBetween>
      </form>
      {select('Status', 'status', filters.status, statusOptions)}
      {select('License', 'license', filters.license, licenseOptions)}
      {select('User type', 'type', filters.type, typeOptions)}
      {Object.values(filters).some(Boolean) && (
        <Button variant="link" onClick={() => onChange({ status: '', license: '', type: '', email: '' })}>
          Clear filters
        </Button>
      )}
    </SpaceBetween>
  );
}
