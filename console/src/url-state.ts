// View state lives in the URL query, so a reload or a shared link restores filters, tabs and the page.
import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The NextToken of every page before the current one, in order; absent on the first page. */
export const PAGE_TOKEN_PARAM = 'page-token';

export function useUrlQuery() {
  const [params, setParams] = useSearchParams();

  const get = useCallback((key: string) => params.get(key) ?? '', [params]);

  /**
   * Sets or clears (empty value) query values; any change of the view returns to the first page. `replace` keeps
   * the history to one entry for changes made keystroke by keystroke.
   */
  const update = useCallback(
    (changes: Record<string, string | undefined>, options: { replace?: boolean } = {}) =>
      setParams((previous) => {
        const next = new URLSearchParams(previous);
        for (const [key, value] of Object.entries(changes)) {
          if (value) next.set(key, value);
          else next.delete(key);
        }
        next.delete(PAGE_TOKEN_PARAM);
        return next;
      }, options),
    [setParams],
  );

  return { get, update };
}
