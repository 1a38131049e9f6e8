// API access keys, for full administrators: the keys with their role and the account they are limited to, creating
// one (its secret shown once), and revoking one (refused within about a second on every node).
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import { useEffect, useState } from 'react';
import type { AccessKey } from '../api';
import { ConfirmModal } from '../components/confirm-modal';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { useListFilter } from '../components/list-filter';
import { NotForYourRole, Page } from '../components/page';
import { RouterLink } from '../components/router-link';
import { StatusText } from '../components/status';
import { formatCount, formatDateTime, roleLabels } from '../format';
import { useSignedIn } from '../session';
import { useRequest } from '../use-request';
import { CreateAccessKeyModal } from './create-access-key-modal';

export function AccessKeysPage() {
  const { can } = useSignedIn();
  const crumbs = [{ text: 'Access keys', to: '/access-keys' }];
  if (!can('ListAccessKeys')) return <NotForYourRole breadcrumbs={crumbs} what="Access keys" />;
  return (
    <Page breadcrumbs={crumbs}>
      <AccessKeysTable />
    </Page>
  );
}

/** The names of the accounts keys are limited to, looked up once each (a handful of keys, rarely many accounts). */
function useAccountNames(ids: readonly string[]): Record<string, string> {
  const { api } = useSignedIn();
  const [names, setNames] = useState<Record<string, string>>({});
  const wanted = [...new Set(ids)].filter((id) => !(id in names)).sort().join(',');
  useEffect(() => {
    if (!wanted) return;
    let current = true;
    for (const id of wanted.split(',')) {
      api.getAccount(id).then(
        ({ Account }) => current && setNames((n) => ({ ...n, [id]: Account.Name })),
        // Deleted since: the ID stands in for the name.
        () => current && setNames((n) => ({ ...n, [id]: '' })),
      );
    }
    return () => {
      current = false;
    };
  }, [api, wanted]);
  return names;
}

function AccessKeysTable() {
  const { api, can } = useSignedIn();
  const { notify, notifyError } = useFlash();
  const request = useRequest((api) => api.listAccessKeys(), []);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AccessKey>();
  const all = request.data?.AccessKeys ?? [];
  const names = useAccountNames(all.flatMap((k) => (k.AccountId ? [k.AccountId] : [])));
  const { matching, filter, filtered } = useListFilter(
    all,
    (k) => [k.Name, k.AccessKeyId, roleLabels[k.Role], k.AccountId && names[k.AccountId]],
    { one: 'access key', many: 'access keys' },
    'Find access keys',
  );

  async function revoke(key: AccessKey) {
    try {
      await api.revokeAccessKey(key.AccessKeyId);
      notify({ type: 'success', header: `Access key “${key.Name}” revoked.`, content: 'Requests signed with it are refused from now on, on every node.' });
      request.reload();
    } catch (e) {
      notifyError(`Access key “${key.Name}” was not revoked`, toApiError(e));
    }
    setRevoking(undefined);
  }

  const columns: TableProps.ColumnDefinition<AccessKey>[] = [
    { id: 'name', header: 'Name', cell: (k) => k.Name },
    { id: 'id', header: 'Access key ID', cell: (k) => <Box variant="code">{k.AccessKeyId}</Box> },
    { id: 'role', header: 'Role', cell: (k) => roleLabels[k.Role] ?? k.Role },
    {
      id: 'account',
      header: 'Limited to',
      cell: (k) =>
        !k.AccountId ? 'All accounts' : names[k.AccountId] ? <RouterLink to={`/accounts/${encodeURIComponent(k.AccountId)}/users`}>{names[k.AccountId]}</RouterLink> : k.AccountId,
    },
    { id: 'status', header: 'Status', cell: (k) => <StatusText status={k.RevokedTimestamp ? 'Revoked' : 'Active'} /> },
    { id: 'created', header: 'Created', cell: (k) => formatDateTime(k.CreatedTimestamp) },
    { id: 'revoked', header: 'Revoked on', cell: (k) => formatDateTime(k.RevokedTimestamp) },
  ];
  if (can('RevokeAccessKey')) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      cell: (k) =>
        k.RevokedTimestamp ? (
          '-'
        ) : (
          <Button variant="inline-link" onClick={() => setRevoking(k)} ariaLabel={`Revoke ${k.Name} (${k.AccessKeyId})`}>
            Revoke
          </Button>
        ),
    });
  }

  return (
    <SpaceBetween size="m">
      {request.error && <ErrorAlert header="The access keys could not be loaded" error={request.error} />}
      <Table<AccessKey>
        data-testid="access-keys-table"
        variant="full-page"
        ariaLabels={{ tableLabel: 'Access keys' }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={request.data ? `(${filtered ? `${formatCount(matching.length)}/` : ''}${formatCount(all.length)})` : undefined}
            description="Keys that programs (the AWS CLI and SDKs) sign API requests with. A key has a role, and may be limited to one account."
            actions={
              can('CreateAccessKey') && (
                <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-access-key-button">
                  Create access key
                </Button>
              )
            }
          >
            Access keys
          </Header>
        }
        filter={filter}
        loading={request.loading}
        loadingText="Loading access keys"
        items={matching}
        trackBy="AccessKeyId"
        columnDefinitions={columns}
        empty={
          <Box textAlign="center" color="inherit">
            <Box variant="strong">{filtered ? 'No matching access keys' : 'No access keys'}</Box>
          </Box>
        }
      />
      {creating && <CreateAccessKeyModal onCreated={request.reload} onDismiss={() => setCreating(false)} />}
      {revoking && (
        <ConfirmModal title="Revoke access key" confirmLabel="Revoke" onConfirm={() => revoke(revoking)} onDismiss={() => setRevoking(undefined)} data-testid="revoke-access-key-modal">
          Revoke “{revoking.Name}” ({revoking.AccessKeyId})? Every program that signs requests with it is refused within about a second, on every
          Carillon node. A revoked key cannot be brought back; create a new one instead.
        </ConfirmModal>
      )}
    </SpaceBetween>
  );
}
