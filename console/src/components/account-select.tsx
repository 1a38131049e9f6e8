// Picking an account by name: the options come from ListAccounts as the administrator types (a name prefix),
// and an account chosen before (from the URL) is shown by its name, looked up once.
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import { useEffect, useRef, useState } from 'react';
import type { Account } from '../api';
import { useSignedIn } from '../session';

const SEARCH_PAGE = 25;

interface AccountSelectProps {
  /** The chosen account's ID, or '' for none. */
  accountId: string;
  /** A name already known for it (from the events on screen), shown until the lookup answers. */
  knownName?: string | undefined;
  /** The option that means "no account", e.g. "Any account". */
  noneLabel: string;
  onChange: (accountId: string) => void;
  ariaLabel?: string;
  controlId?: string;
}

export function AccountSelect({ accountId, knownName, noneLabel, onChange, ariaLabel, controlId }: AccountSelectProps) {
  const { api } = useSignedIn();
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [status, setStatus] = useState<SelectProps['statusType']>('pending');
  const [names, setNames] = useState<Record<string, string>>({});
  const latest = useRef('');

  // The chosen account's name, when a link or a reload brought only its ID.
  useEffect(() => {
    if (!accountId || names[accountId] || knownName) return;
    let current = true;
    api.getAccount(accountId).then(
      ({ Account }) => current && setNames((n) => ({ ...n, [accountId]: Account.Name })),
      () => undefined, // A deleted account has no name to show: its ID stands in.
    );
    return () => {
      current = false;
    };
  }, [api, accountId, knownName, names]);

  async function load(filteringText: string) {
    latest.current = filteringText;
    setStatus('loading');
    try {
      const { Accounts } = await api.listAccounts({ name: filteringText.trim() || undefined, maxResults: SEARCH_PAGE });
      if (latest.current !== filteringText) return;
      setAccounts(Accounts);
      setNames((n) => ({ ...n, ...Object.fromEntries(Accounts.map((a) => [a.AccountId, a.Name])) }));
      setStatus('finished');
    } catch {
      if (latest.current === filteringText) setStatus('error');
    }
  }

  const none: SelectProps.Option = { value: '', label: noneLabel };
  const options: SelectProps.Option[] = [none, ...accounts.map((a) => ({ value: a.AccountId, label: a.Name, description: a.AccountId }))];
  const selected: SelectProps.Option = accountId ? { value: accountId, label: names[accountId] ?? knownName ?? accountId } : none;

  return (
    <Select
      controlId={controlId}
      ariaLabel={ariaLabel}
      selectedOption={selected}
      options={options}
      filteringType="manual"
      filteringPlaceholder="Beginning of an account name"
      filteringAriaLabel="Search accounts by name"
      statusType={status}
      loadingText="Loading accounts"
      errorText="The accounts could not be loaded."
      recoveryText="Try again"
      finishedText={accounts.length === SEARCH_PAGE ? 'Type more of the name to see other accounts.' : undefined}
      empty="No account name starts with this text."
      onLoadItems={({ detail }) => void load(detail.filteringText)}
      onChange={({ detail }) => onChange(detail.selectedOption.value ?? '')}
    />
  );
}
