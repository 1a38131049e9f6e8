// The audit log: every administrative change as a sentence, who made it and in which account, its details a click
// away; filtered by account, action, time range, actor or resource, and exported to CSV as filtered. Times are the
// administrator's local time, with UTC on hover.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import type { AuditEvent } from '../api';
import { CsvExportButton } from '../components/csv-export-button';
import { ErrorAlert } from '../components/error-explanation';
import { Page } from '../components/page';
import { RouterLink } from '../components/router-link';
import { TokenPagination, useCurrentPageToken } from '../components/token-pagination';
import { formatPreciseDateTime, formatUtc } from '../format';
import { useSignedIn } from '../session';
import { useUrlQuery } from '../url-state';
import { useRequest } from '../use-request';
import { actorName, actorTypeLabel, auditCsvColumns, detailLabel, formatDetail, summarize } from './audit-events';
import { AuditFiltersBar, apiFilters, auditQueryKeys, type AuditQuery } from './audit-filters';

const PAGE_SIZE = 50;
/** The API's largest page, for exports. */
const EXPORT_PAGE = 200;
const EXPORT_CAP = 10_000;

export function AuditPage() {
  const { api } = useSignedIn();
  const url = useUrlQuery();
  const query = Object.fromEntries(auditQueryKeys.map((k) => [k, url.get(k)])) as AuditQuery;
  const nextToken = useCurrentPageToken();
  // Computed once per render, so that every page of an export counts a relative range back from the same moment.
  const filters = apiFilters(query);

  const request = useRequest(
    (api) => api.listAuditEvents({ ...filters, maxResults: PAGE_SIZE, nextToken }),
    [...auditQueryKeys.map((k) => query[k]), nextToken],
  );
  const events = request.data?.AuditEvents ?? [];
  const anyFilter = auditQueryKeys.some((k) => query[k]);
  const filterBy = (changes: Partial<AuditQuery>) => url.update(changes);

  return (
    <Page breadcrumbs={[{ text: 'Audit log', to: '/audit' }]}>
      <SpaceBetween size="m">
        {request.error && <ErrorAlert header="The audit log could not be loaded" error={request.error} />}
        <Table<AuditEvent>
          data-testid="audit-events-table"
          variant="full-page"
          ariaLabels={{ tableLabel: 'Audit events' }}
          header={
            <Header
              variant="awsui-h1-sticky"
              description="Every administrative change, newest first. Times are in your time zone; point at one to see it in UTC."
              actions={
                <CsvExportButton
                  data-testid="audit-export"
                  noun={{ one: 'audit event', many: 'audit events' }}
                  fileStem="audit-events"
                  cap={EXPORT_CAP}
                  cappedAdvice="The file holds the newest ones; narrow the time range to export older events."
                  columns={auditCsvColumns}
                  fetchPage={async (token) => {
                    const page = await api.listAuditEvents({ ...filters, maxResults: EXPORT_PAGE, nextToken: token });
                    return { items: page.AuditEvents, nextToken: page.NextToken };
                  }}
                />
              }
            >
              Audit log
            </Header>
          }
          filter={<AuditFiltersBar query={query} events={events} onChange={filterBy} />}
          pagination={<TokenPagination nextToken={request.data?.NextToken} disabled={request.loading} />}
          loading={request.loading}
          loadingText="Loading audit events"
          items={events}
          trackBy="EventId"
          wrapLines
          // An open event is tall: its time, account and actor stay beside its first line.
          cellVerticalAlign="top"
          columnDefinitions={[
            { id: 'time', header: 'Time', width: 200, cell: (e) => <EventTime iso={e.OccurredAt} /> },
            { id: 'event', header: 'Event', cell: (e) => <EventSummary event={e} onFilter={filterBy} /> },
            { id: 'account', header: 'Account', width: 190, cell: (e) => <EventAccount event={e} /> },
            {
              id: 'actor',
              header: 'Actor',
              width: 250,
              cell: (e) => (
                <>
                  {actorName(e)}{' '}
                  <Box variant="small" display="inline" color="text-body-secondary">
                    ({actorTypeLabel(e.ActorType)})
                  </Box>
                </>
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

/** Local time on one line; the UTC time on hover, and in the markup for assistive technology and copying. */
function EventTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatUtc(iso)} style={{ whiteSpace: 'nowrap' }}>
      {formatPreciseDateTime(iso)}
    </time>
  );
}

function EventAccount({ event }: { event: AuditEvent }) {
  if (!event.AccountId) return <>-</>;
  if (!event.AccountName) {
    // Purged past its restore window: only the ID remains.
    return <span title={event.AccountId}>Account no longer exists</span>;
  }
  return <RouterLink to={`/accounts/${encodeURIComponent(event.AccountId)}/users`}>{event.AccountName}</RouterLink>;
}

/** The event's sentence, which opens onto its details and the filters they suggest. */
function EventSummary({ event: e, onFilter }: { event: AuditEvent; onFilter: (changes: Partial<AuditQuery>) => void }) {
  const userPage = e.ResourceType === 'user' && e.AccountId ? `/accounts/${encodeURIComponent(e.AccountId)}/users/${encodeURIComponent(e.ResourceId)}` : undefined;
  const details = Object.entries(e.Details ?? {}).filter(([, v]) => v !== undefined);
  return (
    <ExpandableSection variant="footer" headerText={summarize(e)} headerAriaLabel={`${summarize(e)}: details`}>
      <SpaceBetween size="s">
        <KeyValuePairs
          columns={2}
          items={[
            ...details.map(([key, value]) => ({ label: detailLabel(key), value: formatDetail(value) })),
            { label: 'Action', value: e.Action },
            { label: 'Resource', value: userPage ? <RouterLink to={userPage}>{`${e.ResourceType} ${e.ResourceId}`}</RouterLink> : `${e.ResourceType} ${e.ResourceId}` },
            { label: 'Actor', value: `${actorTypeLabel(e.ActorType)} ${e.ActorId}` },
            { label: 'Source IP', value: e.SourceIp ?? '-' },
            { label: 'Time (UTC)', value: e.OccurredAt },
            { label: 'Event ID', value: e.EventId },
          ]}
        />
        <SpaceBetween direction="horizontal" size="xs">
          <Button variant="normal" iconName="filter" onClick={() => onFilter({ 'actor-id': e.ActorId })}>
            Show only this actor’s events
          </Button>
          <Button variant="normal" iconName="filter" onClick={() => onFilter({ 'resource-id': e.ResourceId })}>
            Show only events on this {e.ResourceType.replaceAll('_', ' ')}
          </Button>
        </SpaceBetween>
      </SpaceBetween>
    </ExpandableSection>
  );
}
