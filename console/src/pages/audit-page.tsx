// The audit log: every administrative change, who made it and from where, filtered by account, action, actor
// or resource.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useEffect, useState } from 'react';
import type { AuditEvent } from '../api';
import { ErrorAlert } from '../components/error-explanation';
import { Page } from '../components/page';
import { RouterLink } from '../components/router-link';
import { TokenPagination, useCurrentPageToken } from '../components/token-pagination';
import { formatDateTime } from '../format';
import { useUrlQuery } from '../url-state';
import { useRequest } from '../use-request';

const PAGE_SIZE = 50;

/** The filters, each with its query parameter (the same name as the API's). */
const filterFields = [
  { key: 'account-id', label: 'Account ID' },
  { key: 'action', label: 'Action' },
  { key: 'actor-id', label: 'Actor ID' },
  { key: 'resource-id', label: 'Resource ID' },
] as const;

type FilterKey = (typeof filterFields)[number]['key'];
type Filters = Record<FilterKey, string>;

export function AuditPage() {
  const query = useUrlQuery();
  const filters = Object.fromEntries(filterFields.map((f) => [f.key, query.get(f.key)])) as Filters;
  const nextToken = useCurrentPageToken();

  const request = useRequest(
    (api) =>
      api.listAuditEvents({
        accountId: filters['account-id'] || undefined,
        action: filters.action || undefined,
        actorId: filters['actor-id'] || undefined,
        resourceId: filters['resource-id'] || undefined,
        maxResults: PAGE_SIZE,
        nextToken,
      }),
    [filters['account-id'], filters.action, filters['actor-id'], filters['resource-id'], nextToken],
  );
  const anyFilter = Object.values(filters).some(Boolean);

  return (
    <Page breadcrumbs={[{ text: 'Audit log', to: '/audit' }]}>
      <SpaceBetween size="m">
        {request.error && <ErrorAlert header="The audit log could not be loaded" error={request.error} />}
        <Table<AuditEvent>
          data-testid="audit-events-table"
          variant="full-page"
          ariaLabels={{ tableLabel: 'Audit events' }}
          header={
            <Header variant="awsui-h1-sticky" description="Every administrative change, newest first.">
              Audit log
            </Header>
          }
          filter={<AuditFilters filters={filters} onApply={(next) => query.update(next)} />}
          pagination={<TokenPagination nextToken={request.data?.NextToken} disabled={request.loading} />}
          loading={request.loading}
          loadingText="Loading audit events"
          items={request.data?.AuditEvents ?? []}
          trackBy="EventId"
          wrapLines
          columnDefinitions={[
            { id: 'time', header: 'Time', cell: (e) => formatDateTime(e.OccurredAt) },
            { id: 'action', header: 'Action', cell: (e) => e.Action },
            { id: 'actor', header: 'Actor', cell: (e) => `${e.ActorType}: ${e.ActorName ?? e.ActorId}` },
            { id: 'resource', header: 'Resource', cell: (e) => `${e.ResourceType}: ${e.ResourceId}` },
            {
              id: 'account',
              header: 'Account',
              cell: (e) => (e.AccountId ? <RouterLink to={`/accounts/${encodeURIComponent(e.AccountId)}/users`}>{e.AccountId}</RouterLink> : '-'),
            },
            { id: 'source', header: 'Source IP', cell: (e) => e.SourceIp ?? '-' },
            {
              id: 'details',
              header: 'Details',
              cell: (e) => (
                <Box variant="code" fontSize="body-s">
                  {JSON.stringify(e.Details ?? {})}
                </Box>
              ),
            },
          ]}
          empty={
            <Box textAlign="center" color="inherit">
              <Box variant="strong">No audit events</Box>
              <Box variant="p" color="inherit">
                {anyFilter ? 'No event matches these filters.' : 'Administrative changes are recorded here.'}
              </Box>
            </Box>
          }
        />
      </SpaceBetween>
    </Page>
  );
}

/** Text filters, applied together on Enter or with the button. */
function AuditFilters({ filters, onApply }: { filters: Filters; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState(filters);
  // Back and forward navigation change the applied filters: show them.
  const applied = JSON.stringify(filters);
  useEffect(() => setDraft(filters), [applied]);

  const cleared = Object.fromEntries(filterFields.map((f) => [f.key, ''])) as Filters;

  return (
    <form
      role="search"
      aria-label="Filter audit events"
      onSubmit={(event) => {
        event.preventDefault();
        onApply(Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, v.trim()])) as Filters);
      }}
    >
      <SpaceBetween direction="horizontal" size="xs" alignItems="end">
        {filterFields.map((f) => (
          <FormField key={f.key} label={f.label}>
            <Input type="search" value={draft[f.key]} onChange={({ detail }) => setDraft({ ...draft, [f.key]: detail.value })} />
          </FormField>
        ))}
        <Button>Apply filters</Button>
        {Object.values(filters).some(Boolean) && (
          <Button formAction="none" variant="link" onClick={() => onApply(cleared)}>
            Clear filters
          </Button>
        )}
      </SpaceBetween>
    </form>
  );
}
