// The Actions menu of the Users screen: which batch actions an account type and a role allow, running them within
// the API's batch limits, and the message that reports every user that failed.
import type { ReactNode } from 'react';
import type { Account, ChimeApi, User, UserError } from '../api';
import { explainError, toApiError } from '../components/error-explanation';
import { isDirectoryManaged, plural } from '../format';
import type { GatedOperation } from '../permissions';

export type BatchActionId = 'assign-pro' | 'assign-basic' | 'remove-users' | 'suspend-users' | 'activate-users';

interface BatchAction {
  label: string;
  operation: GatedOperation;
  /** The API's batch limit: 20 for license updates, 50 for suspension. */
  chunkSize: number;
  run: (api: ChimeApi, accountId: string, users: User[]) => Promise<{ UserErrors: UserError[] }>;
  /** Past tense summary, e.g. "Pro assigned to 3 users". */
  done: (count: number) => string;
  confirmation?: { title: string; confirmLabel: string; text: (count: number, account: Account) => string };
}

export const batchActions: Record<BatchActionId, BatchAction> = {
  'assign-pro': {
    label: 'Assign Pro',
    operation: 'BatchUpdateUser',
    chunkSize: 20,
    run: (api, accountId, users) => api.batchUpdateUser(accountId, users.map((u) => ({ UserId: u.UserId, LicenseType: 'Pro' }))),
    done: (n) => `Pro assigned to ${plural(n, 'user')}`,
  },
  'assign-basic': {
    label: 'Assign Basic',
    operation: 'BatchUpdateUser',
    chunkSize: 20,
    run: (api, accountId, users) => api.batchUpdateUser(accountId, users.map((u) => ({ UserId: u.UserId, LicenseType: 'Basic' }))),
    done: (n) => `Basic assigned to ${plural(n, 'user')}`,
  },
  // On a Team account the suspend operation removes the users from the account (Chime's API did the same).
  'remove-users': {
    label: 'Remove users',
    operation: 'BatchSuspendUser',
    chunkSize: 50,
    run: (api, accountId, users) => api.batchSuspendUser(accountId, users.map((u) => u.UserId)),
    done: (n) => `${plural(n, 'user')} removed`,
    confirmation: {
      title: 'Remove users',
      confirmLabel: 'Remove',
      text: (n, account) =>
        `Remove ${plural(n, 'user')} from “${account.Name}”? They lose the account’s license and leave the account, keeping a free personal identity. To bring someone back, invite them again.`,
    },
  },
  'suspend-users': {
    label: 'Suspend users',
    operation: 'BatchSuspendUser',
    chunkSize: 50,
    run: (api, accountId, users) => api.batchSuspendUser(accountId, users.map((u) => u.UserId)),
    done: (n) => `${plural(n, 'user')} suspended`,
    confirmation: {
      title: 'Suspend users',
      confirmLabel: 'Suspend',
      text: (n) =>
        `Suspend ${plural(n, 'user')}? They are signed out everywhere at once and cannot sign in until they are activated. Meetings they host stop working.`,
    },
  },
  'activate-users': {
    label: 'Activate users',
    operation: 'BatchUnsuspendUser',
    chunkSize: 50,
    run: (api, accountId, users) => api.batchUnsuspendUser(accountId, users.map((u) => u.UserId)),
    done: (n) => `${plural(n, 'user')} activated`,
  },
};

interface MenuItem {
  id: BatchActionId;
  text: string;
  disabled?: boolean;
  disabledReason?: string;
}

/** The batch actions offered for an account, given what the administrator's role may do. */
export function batchMenu(account: Account, allowed: (operation: GatedOperation) => boolean): MenuItem[] {
  const ids: BatchActionId[] =
    account.AccountType === 'Team'
      ? // A Team account's members are suspended only when its last domain is released; they can be activated.
        ['assign-pro', 'assign-basic', 'remove-users', 'activate-users']
      : account.AccountType === 'EnterpriseLWA'
        ? ['assign-pro', 'assign-basic', 'suspend-users', 'activate-users']
        : ['assign-pro', 'assign-basic'];
  return ids
    .filter((id) => allowed(batchActions[id].operation))
    .map((id) =>
      isDirectoryManaged(account.AccountType) && batchActions[id].operation === 'BatchUpdateUser'
        ? { id, text: batchActions[id].label, disabled: true, disabledReason: 'Licenses follow the directory groups mapped to Basic and Pro.' }
        : { id, text: batchActions[id].label },
    );
}

/** Runs an action in batches within the API's limit; a refused batch counts every user in it (and after it) as failed. */
export async function runBatchAction(api: ChimeApi, account: Account, id: BatchActionId, users: User[]): Promise<UserError[]> {
  const action = batchActions[id];
  const failures: UserError[] = [];
  for (let start = 0; start < users.length; start += action.chunkSize) {
    try {
      failures.push(...(await action.run(api, account.AccountId, users.slice(start, start + action.chunkSize))).UserErrors);
    } catch (e) {
      const error = toApiError(e);
      failures.push(...users.slice(start).map((u) => ({ UserId: u.UserId, ErrorCode: error.code, ErrorMessage: error.message })));
      break;
    }
  }
  return failures;
}

interface BatchReport {
  type: 'success' | 'warning' | 'error';
  header: string;
  content?: ReactNode;
}

export function reportBatch(id: BatchActionId, users: User[], failures: UserError[]): BatchReport {
  const action = batchActions[id];
  const succeeded = users.length - failures.length;
  if (failures.length === 0) return { type: 'success', header: `${action.done(succeeded)}.` };
  const emailOf = new Map(users.map((u) => [u.UserId, u.PrimaryEmail]));
  return {
    type: succeeded === 0 ? 'error' : 'warning',
    header: `${action.label}: ${succeeded} of ${plural(users.length, 'user')} succeeded, ${failures.length} failed.`,
    content: (
      <ul>
        {failures.map((f) => (
          <li key={f.UserId}>
            {emailOf.get(f.UserId) ?? f.UserId} — <strong>{f.ErrorCode}</strong>: {explainError(f.ErrorCode)} ({f.ErrorMessage})
          </li>
        ))}
      </ul>
    ),
  };
}
