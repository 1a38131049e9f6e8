// Console administrators, for full administrators: who they are, their role and whether they may still sign in;
// inviting someone with a role (a one-time setup link, shown once), and disabling an administrator.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import { useState } from 'react';
import type { Administrator } from '../api';
import { ConfirmModal } from '../components/confirm-modal';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { useListFilter } from '../components/list-filter';
import { NotForYourRole, Page } from '../components/page';
import { StatusText } from '../components/status';
import { formatCount, formatDateTime, roleLabels } from '../format';
import { useSignedIn } from '../session';
import { useRequest } from '../use-request';
import { InviteAdministratorModal } from './invite-administrator-modal';

export function AdministratorsPage() {
  const { can } = useSignedIn();
  const crumbs = [{ text: 'Administrators', to: '/administrators' }];
  if (!can('ListAdministrators')) return <NotForYourRole breadcrumbs={crumbs} what="Administrators" />;
  return (
    <Page breadcrumbs={crumbs}>
      <AdministratorsTable />
    </Page>
  );
}

function AdministratorsTable() {
  const { api, can, admin: me } = useSignedIn();
  const { notify, notifyError } = useFlash();
  const request = useRequest((api) => api.listAdministrators(), []);
  const [inviting, setInviting] = useState(false);
  const [disabling, setDisabling] = useState<Administrator>();
  const all = request.data?.Administrators ?? [];
  const { matching, filter, filtered } = useListFilter(all, (a) => [a.Email, a.Name, roleLabels[a.Role]], { one: 'administrator', many: 'administrators' }, 'Find administrators');

  async function disable(target: Administrator) {
    try {
      await api.disableAdministrator(target.AdministratorId);
      notify({ type: 'success', header: `${target.Email} is disabled.`, content: 'Their console sessions have ended. To bring them back, invite them again.' });
      request.reload();
    } catch (e) {
      notifyError(`${target.Email} was not disabled`, toApiError(e));
    }
    setDisabling(undefined);
  }

  const columns: TableProps.ColumnDefinition<Administrator>[] = [
    { id: 'email', header: 'Email', cell: (a) => a.Email },
    { id: 'name', header: 'Name', cell: (a) => a.Name },
    { id: 'role', header: 'Role', cell: (a) => roleLabels[a.Role] ?? a.Role },
    { id: 'status', header: 'Status', cell: (a) => <StatusText status={a.DisabledTimestamp ? 'Disabled' : 'Active'} /> },
    { id: 'created', header: 'Administrator since', cell: (a) => formatDateTime(a.CreatedTimestamp) },
    { id: 'disabled', header: 'Disabled on', cell: (a) => formatDateTime(a.DisabledTimestamp) },
  ];
  if (can('DisableAdministrator')) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      cell: (a) =>
        a.DisabledTimestamp ? (
          '-'
        ) : (
          <Button
            variant="inline-link"
            onClick={() => setDisabling(a)}
            ariaLabel={`Disable ${a.Email}`}
            disabled={a.AdministratorId === me.AdministratorId}
            disabledReason="You cannot disable yourself; ask another full administrator."
          >
            Disable
          </Button>
        ),
    });
  }

  return (
    <SpaceBetween size="m">
      {request.error && <ErrorAlert header="The administrators could not be loaded" error={request.error} />}
      <Table<Administrator>
        data-testid="administrators-table"
        variant="full-page"
        ariaLabels={{ tableLabel: 'Administrators' }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={request.data ? `(${filtered ? `${formatCount(matching.length)}/` : ''}${formatCount(all.length)})` : undefined}
            description="People who sign in to this console, and what their role lets them do. Someone invited appears here once they have set their password."
            actions={
              can('InviteAdministrator') && (
                <Button variant="primary" onClick={() => setInviting(true)} data-testid="invite-administrator-button">
                  Invite administrator
                </Button>
              )
            }
          >
            Administrators
          </Header>
        }
        filter={filter}
        loading={request.loading}
        loadingText="Loading administrators"
        items={matching}
        trackBy="AdministratorId"
        columnDefinitions={columns}
        empty={
          <Box textAlign="center" color="inherit">
            <Box variant="strong">{filtered ? 'No matching administrators' : 'No administrators'}</Box>
          </Box>
        }
      />
      {inviting && <InviteAdministratorModal onDismiss={() => setInviting(false)} />}
      {disabling && (
        <ConfirmModal title="Disable administrator" confirmLabel="Disable" onConfirm={() => disable(disabling)} onDismiss={() => setDisabling(undefined)} data-testid="disable-administrator-modal">
          Disable {disabling.Email}? Every console session of theirs ends at once and they can no longer sign in. Setup links sent to them stop
          working too. To bring them back, invite them again.
        </ConfirmModal>
      )}
    </SpaceBetween>
  );
}
