// The audit log's filters: account (by name), action (from the server's catalog of actions), a time range
// (absolute, or relative to now), and the actor and resource chosen from an event. All of them live in the URL.
import Button from '@cloudscape-design/components/button';
import DateRangePicker, { type DateRangePickerProps } from '@cloudscape-design/components/date-range-picker';
import FormField from '@cloudscape-design/components/form-field';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import TokenGroup from '@cloudscape-design/components/token-group';
import type { AuditEvent, AuditFilters } from '../api';
import { AccountSelect } from '../components/account-select';
import { actionLabel, actionOptions, actorName } from './audit-events';

/** The URL's query keys; `last` is a relative range ("24-hour"), `since`/`until` an absolute one as the picker gives it. */
export const auditQueryKeys = ['account-id', 'action', 'actor-id', 'resource-id', 'since', 'until', 'last'] as const;
export type AuditQuery = Record<(typeof auditQueryKeys)[number], string>;

const units: DateRangePickerProps.TimeUnit[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'];

const relativeOptions: DateRangePickerProps.RelativeOption[] = [
  { key: 'last-1-hour', amount: 1, unit: 'hour', type: 'relative' },
  { key: 'last-24-hour', amount: 24, unit: 'hour', type: 'relative' },
  { key: 'last-7-day', amount: 7, unit: 'day', type: 'relative' },
  { key: 'last-30-day', amount: 30, unit: 'day', type: 'relative' },
];

function parseRelative(last: string): DateRangePickerProps.RelativeValue | null {
  const [amount, unit] = last.split('-');
  const n = Number(amount);
  if (!Number.isInteger(n) || n <= 0 || !units.includes(unit as DateRangePickerProps.TimeUnit)) return null;
  const known = relativeOptions.find((o) => o.amount === n && o.unit === unit);
  return { ...(known && { key: known.key }), amount: n, unit: unit as DateRangePickerProps.TimeUnit, type: 'relative' };
}

/** The picker's value, from the URL. */
function rangeOf(q: AuditQuery): DateRangePickerProps.Value | null {
  if (q.last) return parseRelative(q.last);
  if (q.since && q.until) return { type: 'absolute', startDate: q.since, endDate: q.until };
  return null;
}

function subtract(now: Date, amount: number, unit: DateRangePickerProps.TimeUnit): Date {
  const d = new Date(now);
  switch (unit) {
    case 'second': d.setSeconds(d.getSeconds() - amount); break;
    case 'minute': d.setMinutes(d.getMinutes() - amount); break;
    case 'hour': d.setHours(d.getHours() - amount); break;
    case 'day': d.setDate(d.getDate() - amount); break;
    case 'week': d.setDate(d.getDate() - 7 * amount); break;
    case 'month': d.setMonth(d.getMonth() - amount); break;
    case 'year': d.setFullYear(d.getFullYear() - amount); break;
  }
  return d;
}

const iso = (value: string): string | undefined => {
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

/**
 * The API's filters for what the URL holds. A relative range counts back from now, at the moment of asking. An
 * absolute range includes its end: the picker ends at a whole second (23:59:59), and the API's `until` excludes.
 */
export function apiFilters(q: AuditQuery, now = new Date()): AuditFilters {
  const relative = q.last ? parseRelative(q.last) : null;
  const until = q.until && !relative ? iso(q.until) : undefined;
  return {
    accountId: q['account-id'] || undefined,
    action: q.action || undefined,
    actorId: q['actor-id'] || undefined,
    resourceId: q['resource-id'] || undefined,
    since: relative ? subtract(now, relative.amount, relative.unit).toISOString() : q.since ? iso(q.since) : undefined,
    until: until && new Date(Date.parse(until) + 1000).toISOString(),
  };
}

function validRange(value: DateRangePickerProps.Value | null): DateRangePickerProps.ValidationResult {
  if (!value) return { valid: true };
  if (value.type === 'relative') return value.amount > 0 ? { valid: true } : { valid: false, errorMessage: 'Choose an amount greater than zero.' };
  if (!value.startDate || !value.endDate) return { valid: false, errorMessage: 'Choose both a start and an end.' };
  if (Number.isNaN(Date.parse(value.startDate)) || Number.isNaN(Date.parse(value.endDate))) return { valid: false, errorMessage: 'Enter valid dates and times.' };
  if (Date.parse(value.startDate) > Date.parse(value.endDate)) return { valid: false, errorMessage: 'The start must come before the end.' };
  return { valid: true };
}

const anyAction: SelectProps.Option = { value: '', label: 'Any action' };

interface AuditFiltersBarProps {
  query: AuditQuery;
  /** The events on screen, which name the accounts and actors the URL holds only by ID. */
  events: readonly AuditEvent[];
  onChange: (changes: Partial<AuditQuery>) => void;
}

export function AuditFiltersBar({ query, events, onChange }: AuditFiltersBarProps) {
  const action = actionOptions.find((o) => o.value === query.action) ?? (query.action ? { value: query.action, label: actionLabel(query.action) } : anyAction);
  const accountName = events.find((e) => e.AccountId === query['account-id'])?.AccountName;
  const actor = events.find((e) => e.ActorId === query['actor-id']);
  const resource = events.find((e) => e.ResourceId === query['resource-id']);
  const tokens = [
    ...(query['actor-id'] ? [{ key: 'actor-id' as const, label: `Actor: ${actor ? actorName(actor) : query['actor-id']}`, dismissLabel: 'Remove the actor filter' }] : []),
    ...(query['resource-id']
      ? [{ key: 'resource-id' as const, label: `Resource: ${resource ? `${resource.ResourceType} ` : ''}${query['resource-id']}`, dismissLabel: 'Remove the resource filter' }]
      : []),
  ];
  const anyFilter = auditQueryKeys.some((k) => query[k]);

  return (
    <SpaceBetween size="s">
      <SpaceBetween direction="horizontal" size="xs" alignItems="end">
        <FormField label="Account" controlId="audit-account">
          <AccountSelect controlId="audit-account" accountId={query['account-id']} knownName={accountName} noneLabel="Any account" onChange={(id) => onChange({ 'account-id': id })} />
        </FormField>
        <FormField label="Action" controlId="audit-action">
          <Select
            controlId="audit-action"
            selectedOption={action}
            options={[anyAction, ...actionOptions]}
            filteringType="auto"
            filteringPlaceholder="Find an action"
            filteringAriaLabel="Find an action"
            empty="No action has this name."
            onChange={({ detail }) => onChange({ action: detail.selectedOption.value ?? '' })}
          />
        </FormField>
        <FormField label="Time range" controlId="audit-range">
          <DateRangePicker
            controlId="audit-range"
            value={rangeOf(query)}
            relativeOptions={relativeOptions}
            isValidRange={validRange}
            placeholder="Any time"
            dateInputFormat="iso"
            absoluteFormat="long-localized"
            showClearButton
            expandToViewport
            onChange={({ detail }) => {
              const v = detail.value;
              if (!v) onChange({ since: '', until: '', last: '' });
              else if (v.type === 'relative') onChange({ since: '', until: '', last: `${v.amount}-${v.unit}` });
              else onChange({ since: v.startDate, until: v.endDate, last: '' });
            }}
          />
        </FormField>
        {anyFilter && (
          <Button variant="link" onClick={() => onChange(Object.fromEntries(auditQueryKeys.map((k) => [k, ''])))}>
            Clear filters
          </Button>
        )}
      </SpaceBetween>
      {tokens.length > 0 && <TokenGroup items={tokens} onDismiss={({ detail }) => onChange({ [tokens[detail.itemIndex]!.key]: '' })} />}
    </SpaceBetween>
  );
}
