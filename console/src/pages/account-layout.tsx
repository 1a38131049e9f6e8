// Loads the account that /accounts/:accountId/* works on, once, for its Users, Domains and Settings screens.
import Header from '@cloudscape-design/components/header';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { Outlet, useOutletContext, useParams } from 'react-router-dom';
import type { Account } from '../api';
import { ErrorAlert } from '../components/error-explanation';
import { Page } from '../components/page';
import { accountTypeLabels } from '../format';
import { useRequest } from '../use-request';

interface OpenAccount {
  account: Account;
  /** Shows an account the screen changed (renamed, new default license) everywhere at once. */
  setAccount: (account: Account) => void;
}

export function AccountLayout() {
  const { accountId = '' } = useParams();
  const request = useRequest((api) => api.getAccount(accountId).then((r) => r.Account), [accountId]);
  const account = request.data?.AccountId === accountId ? request.data : undefined;

  if (request.error) {
    return (
      <Page breadcrumbs={[{ text: 'Accounts', to: '/accounts' }]}>
        <ErrorAlert header="The account could not be loaded" error={request.error} />
      </Page>
    );
  }
  if (!account) {
    return (
      <Page breadcrumbs={[{ text: 'Accounts', to: '/accounts' }]}>
        <StatusIndicator type="loading">Loading account</StatusIndicator>
      </Page>
    );
  }
  return <Outlet context={{ account, setAccount: request.setData } satisfies OpenAccount} />;
}

export function useOpenAccount(): OpenAccount {
  return useOutletContext<OpenAccount>();
}

export const accountPath = (account: Account, rest = '') => `/accounts/${encodeURIComponent(account.AccountId)}${rest}`;

/** The breadcrumbs of a screen of an open account: Accounts › <account> › Users, Domains or Settings. */
export function accountCrumbs(account: Account, section: 'Users' | 'Domains' | 'Settings') {
  return [
    { text: 'Accounts', to: '/accounts' },
    { text: account.Name, to: accountPath(account, '/users') },
    { text: section, to: accountPath(account, `/${section.toLowerCase()}`) },
  ];
}

/** The page heading of an account's screens: its name, and what kind of account it is. */
export function AccountHeader({ account }: { account: Account }) {
  return (
    <Header variant="h1" description={`${accountTypeLabels[account.AccountType]} account`}>
      {account.Name}
    </Header>
  );
}
