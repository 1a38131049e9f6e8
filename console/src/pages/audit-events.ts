// How the audit log reads to an administrator: each event as one sentence (the action's label from the server's
// catalog, then what it was done to), its actor and its details in words, and the CSV columns of an export.
import { auditActions } from '../../../src/audit/audit-wire.js';
import type { AuditAction, AuditEvent, Role } from '../api';
import type { CsvColumn } from '../csv';
import { roleLabels } from '../format';

export const actionLabel = (action: string): string => auditActions[action as AuditAction] ?? action;

/** The actions, as the action picker offers them: by label, with the API's name to search by too. */
export const actionOptions = (Object.entries(auditActions) as [AuditAction, string][]).map(([value, label]) => ({ value, label, filteringTags: [value] }));

const actorTypeLabels: Record<string, string> = {
  admin: 'Administrator',
  access_key: 'Access key',
  cli: 'Command line',
  system: 'Carillon',
  identity: 'End user',
};

export const actorTypeLabel = (type: string) => actorTypeLabels[type] ?? type;

/** Who did it: the administrator's email or the key's name when the server knows it, else the actor's ID. */
export const actorName = (e: AuditEvent) => e.ActorName ?? e.ActorId;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const onOff = (on: boolean) => (on ? 'on' : 'off');
const role = (v: unknown) => (typeof v === 'string' && v in roleLabels ? roleLabels[v as Role] : text(v));

/** What the event was done to, in words, from its details; undefined when the label says it all. */
function subjectOf(e: AuditEvent): string | undefined {
  const d = e.Details;
  const parts: string[] = [];
  switch (e.Action) {
    case 'UpdateAccount':
      if (text(d.name)) parts.push(`name “${text(d.name)}”`);
      if (text(d.defaultLicense)) parts.push(`default license ${text(d.defaultLicense)}`);
      break;
    case 'UpdateAccountSettings':
      if (typeof d.disableRemoteControl === 'boolean') parts.push(`shared control in screen sharing ${onOff(!d.disableRemoteControl)}`);
      if (typeof d.enableDialOut === 'boolean') parts.push(`outbound calling to join meetings ${onOff(d.enableDialOut)}`);
      break;
    case 'UpdateUser':
    case 'BatchUpdateUser': {
      const from = (d.from ?? {}) as Record<string, unknown>;
      if (text(d.licenseType)) parts.push(`license ${text(from.licenseType) ? `${text(from.licenseType)} → ` : ''}${text(d.licenseType)}`);
      if (text(d.userType)) parts.push(`type ${text(d.userType)}`);
      break;
    }
    case 'InviteAdministrator':
      parts.push(`${e.ResourceId}${role(d.role) ? ` (${role(d.role)})` : ''}`);
      break;
    case 'CreateAdministrator':
      parts.push(`${text(d.email) ?? e.ResourceId}${role(d.role) ? ` (${role(d.role)})` : ''}`);
      break;
    case 'CreateAccessKey':
      parts.push(`“${text(d.name) ?? e.ResourceId}”${role(d.role) ? ` (${role(d.role)})` : ''}`);
      break;
    case 'AssociateSigninDelegateGroupsWithAccount':
    case 'DisassociateSigninDelegateGroupsFromAccount':
      if (Array.isArray(d.groups)) parts.push(d.groups.map((g) => text((g as Record<string, unknown>)?.GroupName) ?? String(g)).join(', '));
      break;
  }
  if (parts.length > 0) return parts.join(', ');
  if (text(d.email)) return text(d.email);
  if (text(d.name)) return `“${text(d.name)}”`;
  if (e.ResourceType === 'account' && e.AccountName) return `“${e.AccountName}”`;
  if (e.ResourceType === 'access_key') return e.ResourceId;
  return undefined;
}

/** One sentence per event: "Invited a user: bob@example.com". */
export function summarize(e: AuditEvent): string {
  const subject = subjectOf(e);
  return subject ? `${actionLabel(e.Action)}: ${subject}` : actionLabel(e.Action);
}

/** A detail's key as a label: "userId" reads "User ID", "leftAccounts" "Left accounts". */
export function detailLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\b(id|ip|pin|uri|uris|oidc)\b/g, (w) => (w === 'uris' ? 'URIs' : w.toUpperCase()));
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A detail's value in words: text as is, lists joined, nested objects as compact JSON. */
export function formatDetail(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  return JSON.stringify(value);
}

export const auditCsvColumns: CsvColumn<AuditEvent>[] = [
  { header: 'Time (UTC)', value: (e) => e.OccurredAt },
  { header: 'Event', value: summarize },
  { header: 'Action', value: (e) => e.Action },
  { header: 'Account', value: (e) => e.AccountName },
  { header: 'Account ID', value: (e) => e.AccountId },
  { header: 'Actor', value: actorName },
  { header: 'Actor type', value: (e) => actorTypeLabel(e.ActorType) },
  { header: 'Actor ID', value: (e) => e.ActorId },
  { header: 'Resource type', value: (e) => e.ResourceType },
  { header: 'Resource ID', value: (e) => e.ResourceId },
  { header: 'Source IP', value: (e) => e.SourceIp },
  { header: 'Details', value: (e) => JSON.stringify(e.Details ?? {}) },
  { header: 'Event ID', value: (e) => e.EventId },
];
