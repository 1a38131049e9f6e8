// The console's screens and the gate that sends anyone without a session to the sign-in screen.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom';
import { ErrorAlert } from './components/error-explanation';
import { Page } from './components/page';
import { RouterLink } from './components/router-link';
import { TopBar } from './components/top-bar';
import { AccessKeysPage } from './pages/access-keys-page';
import { AccountLayout } from './pages/account-layout';
import { AccountSettingsPage } from './pages/account-settings-page';
import { AccountsPage } from './pages/accounts-page';
import { AdministratorsPage } from './pages/administrators-page';
import { AuditPage } from './pages/audit-page';
import { DeletedAccountsPage } from './pages/deleted-accounts-page';
import { DomainsPage } from './pages/domains-page';
import { SetupPage } from './pages/setup-page';
import { SignInPage } from './pages/signin-page';
import { UserDetailPage } from './pages/user-detail-page';
import { UsersPage } from './pages/users-page';
import { SignedInProvider, useSession } from './session';

export function App() {
  return (
    <>
      <TopBar />
      <Routes>
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/signin" element={<SignInPage />} />
        <Route element={<RequireSession />}>
          <Route index element={<Navigate to="/accounts" replace />} />
          <Route path="/accounts" element={<AccountsPage />} />
          <Route path="/accounts/:accountId" element={<AccountLayout />}>
            <Route index element={<Navigate to="users" replace />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="users/:userId" element={<UserDetailPage />} />
            <Route path="domains" element={<DomainsPage />} />
            <Route path="settings" element={<AccountSettingsPage />} />
          </Route>
          <Route path="/deleted-accounts" element={<DeletedAccountsPage />} />
          <Route path="/audit" element={<AuditPage />} />
          <Route path="/administrators" element={<AdministratorsPage />} />
          <Route path="/access-keys" element={<AccessKeysPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </>
  );
}

function RequireSession() {
  const { state, retry } = useSession();
  const location = useLocation();

  switch (state.status) {
    case 'loading':
      return (
        <Page bare>
          <StatusIndicator type="loading">Loading</StatusIndicator>
        </Page>
      );
    case 'unavailable':
      return (
        <Page bare>
          <SpaceBetween size="m">
            <ErrorAlert header="The console could not reach the server" error={state.error} />
            <Button onClick={retry}>Try again</Button>
          </SpaceBetween>
        </Page>
      );
    case 'signed-out': {
      const returnTo = new URLSearchParams({ return_to: location.pathname + location.search });
      return <Navigate to={`/signin?${returnTo}`} replace />;
    }
    case 'signed-in':
      return (
        <SignedInProvider session={state.session}>
          <Outlet />
        </SignedInProvider>
      );
  }
}

function NotFoundPage() {
  return (
    <Page>
      <SpaceBetween size="m">
        <Header variant="h1">Page not found</Header>
        <Box>
          There is no console page at this address. <RouterLink to="/accounts">Go to Accounts</RouterLink>
        </Box>
      </SpaceBetween>
    </Page>
  );
}
