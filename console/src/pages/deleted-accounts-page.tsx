// Deleted accounts, restorable for 90 days after deletion.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import { useState } from 'react';
import { DELETED_ACCOUNTS_MAX, type DeletedAccount } from '../api';
import { ConfirmModal } from '../components/confirm-modal';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { Page } from '../components/page';
import { RouterLink } from '../components/router-link';
import { formatCount, formatDateTime } from '../format';
import { useSignedIn } from '../session';
import { useRequest } from '../use-request';
import { accountPath } from './account-layout';

export function DeletedAccountsPage() {
  const { api, can } = useSignedIn();
  const { notify, notifyError } = useFlash();
  const request = useRequest((api) => api.listDeletedAccounts(), []);
  const [restoring, setRestoring] = useState<DeletedAccount>();

  async function restore(account: DeletedAccount) {
    try {
      const { Account: restored } = await api.restoreAccount(account.AccountId);
      notify({
        type: 'success',
        header: `Account “${restored.Name}” restored.`,
        content: <RouterLink to={accountPath(restored, '/users')}>Open {restored.Name}</RouterLink>,
      });
      request.reload();
    } catch (e) {
      notifyError(`Account “${account.Name}” was not restored`, toApiError(e));
    }
    setRestoring(undefined);
  }

  const columns: TableProps.ColumnDefinition<DeletedAccount>[] = [
    { id: 'name', header: 'Name', cell: (a) => a.Name },
    { id: 'id', header: 'Account ID', cell: (a) => a.AccountId },
    { id: 'deleted', header: 'Deleted', cell: (a) => formatDateTime(a.DeletedTimestamp) },
    { id: 'restorable', header: 'Restorable until', cell: (a) => formatDateTime(a.RestorableUntil) },
  ];
  if (can('RestoreAccount')) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      cell: (a) => (
        <Button variant="inline-link" onClick={() => setRestoring(a)} ariaLabel={`Restore ${a.Name}`} data-testid="restore-account-button">
          Restore
        </Button>
      ),
    });
  }

  return (
    <Page breadcrumbs={[{ text: 'Deleted accounts', to: '/deleted-accounts' }]}>
      <SpaceBetween size="m">
        {request.error && <ErrorAlert header="The deleted accounts could not be loaded" error={request.error} />}
        <Table<DeletedAccount>
          data-testid="deleted-accounts-table"
          variant="full-page"
          ariaLabels={{ tableLabel: 'Deleted accounts' }}
          header={
            <Header
              variant="awsui-h1-sticky"
              // The list comes in one page; a full page may have been cut short.
              counter={request.data ? `(${formatCount(request.data.Accounts.length, request.data.Accounts.length >= DELETED_ACCOUNTS_MAX)})` : undefined}
              description="A deleted account can be restored, with its users and settings, for 90 days."
            >
              Deleted accounts
            </Header>
          }
          loading={request.loading}
          loadingText="Loading deleted accounts"
          items={request.data?.Accounts ?? []}
          trackBy="AccountId"
          wrapLines
          columnDefinitions={columns}
          empty={
            <Box textAlign="center" color="inherit">
              <Box variant="strong">No deleted accounts</Box>
              <Box variant="p" color="inherit">
                Accounts deleted in the last 90 days are listed here.
              </Box>
            </Box>
          }
        />
      </SpaceBetween>
      {restoring && (
        <ConfirmModal title="Restore account" confirmLabel="Restore" onConfirm={() => restore(restoring)} onDismiss={() => setRestoring(undefined)}>
          Restore “{restoring.Name}”? It returns to the account list with its users and settings.
        </ConfirmModal>
      )}
    </Page>
  );
}
