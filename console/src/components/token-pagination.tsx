// Pagination over NextToken lists: the tokens of the pages visited so far are kept in the URL, so the pages
// already seen can be revisited and a reload returns to the same page.
import Pagination from '@cloudscape-design/components/pagination';
import { useSearchParams } from 'react-router-dom';
import { PAGE_TOKEN_PARAM } from '../url-state';

/** The NextToken to request the current page with (undefined on the first page). */
export function useCurrentPageToken(): string | undefined {
  const [params] = useSearchParams();
  return params.getAll(PAGE_TOKEN_PARAM).at(-1);
}

export function TokenPagination({ nextToken, disabled }: { nextToken: string | undefined; disabled: boolean }) {
  const [params, setParams] = useSearchParams();
  const tokens = params.getAll(PAGE_TOKEN_PARAM);
  const currentPageIndex = tokens.length + 1;

  function goTo(pageIndex: number) {
    const kept = pageIndex <= currentPageIndex ? tokens.slice(0, pageIndex - 1) : nextToken ? [...tokens, nextToken] : tokens;
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      next.delete(PAGE_TOKEN_PARAM);
      for (const token of kept) next.append(PAGE_TOKEN_PARAM, token);
      return next;
    });
  }

  return (
    <Pagination
      currentPageIndex={currentPageIndex}
      pagesCount={currentPageIndex}
      openEnd={nextToken !== undefined}
      disabled={disabled}
      onChange={({ detail }) => goTo(detail.currentPageIndex)}
      ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}`, paginationLabel: 'Pages' }}
    />
  );
}
