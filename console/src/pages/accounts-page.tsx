// The list of accounts: search by account name (a prefix) or by a member's email, page through, create one.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Account } from '../api';
import { AccountNameModal } from '../components/account-name-modal';
import { ErrorAlert } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { Page } from '../components/page';
import { RouterLink } from '../components/router-link';
import { StatusText } from '../components/status';
import { TokenPagination, useCurrentPageToken } from '../components/token-pagination';
import { accountTypeLabels, formatDateTime } from '../format';
import { useSignedIn } from '../session';
import { useUrlQuery } from '../url-state';
import { useRequest } from '../use-request';
import { accountPath } from './account-layout';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type SearchBy = 'name' | 'email';
const searchByOptions = [
  { value: 'name', label: 'Account name' },
  { value: 'email', label: 'User email' },
];

export function AccountsPage() {
  const { can } = useSignedIn();
  const query = useUrlQuery();
  const searchBy: SearchBy = query.get('search-by') === 'email' ? 'email' : 'name';
  const searchText = query.get('q');
  const nextToken = useCurrentPageToken();
  const [creating, setCreating] = useState(false);

  const request = useRequest(
    (api) =>
      api.listAccounts({
        name: searchBy === 'name' ? searchText || undefined : undefined,
        userEmail: searchBy === 'email' ? searchText || undefined : undefined,
        maxResults: 50,
        nextToken,
      }),
    [searchBy, searchText, nextToken],
  );

  const createButton = can('CreateAccount') && (
    <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-account-button">
      Create account
    </Button>
  );

  return (
    <Page breadcrumbs={[{ text: 'Accounts', to: '/accounts' }]}>
      <SpaceBetween size="m">
        {request.error && <ErrorAlert header="The accounts could not be loaded" error={request.error} />}
        <Table<Account>
          data-testid="accounts-table"
          variant="full-page"
          ariaLabels={{ tableLabel: 'Accounts' }}
          header={
            <Header variant="awsui-h1-sticky" actions={createButton}>
              Accounts
            </Header>
          }
          filter={
            <AccountSearch
              searchBy={searchBy}
              searchText={searchText}
              onSearch={(by, text) => query.update({ 'search-by': by === 'name' ? undefined : by, q: text })}
            />
          }
          pagination={<TokenPagination nextToken={request.data?.NextToken} disabled={request.loading} />}
          loading={request.loading}
          loadingText="Loading accounts"
          items={request.data?.Accounts ?? []}
          trackBy="AccountId"
          columnDefinitions={[
            { id: 'name', header: 'Name', cell: (a) => <RouterLink to={accountPath(a, '/users')}>{a.Name}</RouterLink> },
            { id: 'type', header: 'Type', cell: (a) => accountTypeLabels[a.AccountType] ?? a.AccountType },
            { id: 'status', header: 'Status', cell: (a) => <StatusText status={a.AccountStatus} /> },
            { id: 'license', header: 'Default license', cell: (a) => a.DefaultLicense ?? '-' },
            { id: 'created', header: 'Created', cell: (a) => formatDateTime(a.CreatedTimestamp) },
          ]}
          empty={
            <Box textAlign="center" color="inherit">
              <SpaceBetween size="xs">
                <Box variant="strong">{searchText ? 'No matching accounts' : 'No accounts'}</Box>
                <Box variant="p" color="inherit">
                  {searchText
                    ? searchBy === 'name'
                      ? 'No account name starts with this text.'
                      : 'No account has a user with this email address.'
                    : 'Accounts you create are listed here.'}
                </Box>
              </SpaceBetween>
            </Box>
          }
        />
      </SpaceBetween>
      {creating && <CreateAccountModal onDismiss={() => setCreating(false)} />}
    </Page>
  );
}

interface AccountSearchProps {
  searchBy: SearchBy;
  searchText: string;
  onSearch: (searchBy: SearchBy, text: string) => void;
}

/** The search is applied on Enter or with the button, not on every keystroke; the URL holds the applied one. */
function AccountSearch({ searchBy, searchText, onSearch }: AccountSearchProps) {
  const [by, setBy] = useState<SearchBy>(searchBy);
  const [text, setText] = useState(searchText);
  const [invalid, setInvalid] = useState(false);

  // Back and forward navigation change the applied search: show it.
  useEffect(() => {
    setBy(searchBy);
    setText(searchText);
  }, [searchBy, searchText]);

  function submit() {
    const trimmed = text.trim();
    const isInvalid = by === 'email' && trimmed !== '' && !EMAIL.test(trimmed);
    setInvalid(isInvalid);
    if (!isInvalid) onSearch(by, trimmed);
  }

  return (
    <form
      role="search"
      aria-label="Search accounts"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <SpaceBetween direction="horizontal" size="xs" alignItems="end">
        <FormField label="Search by">
          <Select
            selectedOption={searchByOptions.find((o) => o.value === by) ?? null}
            options={searchByOptions}
            onChange={({ detail }) => {
              setBy(detail.selectedOption.value === 'email' ? 'email' : 'name');
              setInvalid(false);
            }}
          />
        </FormField>
        <FormField
          label="Search text"
          errorText={invalid ? 'Enter a complete email address; this search matches it exactly.' : undefined}
        >
          <Input
            type="search"
            value={text}
            placeholder={by === 'name' ? 'Beginning of an account name' : 'user@example.com'}
            onChange={({ detail }) => setText(detail.value)}
          />
        </FormField>
        <Button>Search</Button>
        {searchText && (
          <Button formAction="none" variant="link" onClick={() => onSearch(by, '')}>
            Clear search
          </Button>
        )}
      </SpaceBetween>
    </form>
  );
}

function CreateAccountModal({ onDismiss }: { onDismiss: () => void }) {
  const { api } = useSignedIn();
  const { notify } = useFlash();
  const navigate = useNavigate();
  return (
    <AccountNameModal
      header="Create account"
      submitLabel="Create"
      description="New accounts are Team accounts. Invitation emails show this name."
      failure="The account was not created"
      onDismiss={onDismiss}
      onSubmit={async (name) => {
        const { Account } = await api.createAccount(name);
        notify({ type: 'success', header: `Account “${Account.Name}” created.`, content: 'It is a Team account. Invite its users from this page.' });
        navigate(accountPath(Account, '/users'));
      }}
    />
  );
}
