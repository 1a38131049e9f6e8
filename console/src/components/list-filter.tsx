// A text filter over a list the API returns whole (administrators, access keys): it filters in the browser, and
// the text is in the URL (?q=) like every other screen's filters.
import TextFilter from '@cloudscape-design/components/text-filter';
import { useEffect, useState } from 'react';
import { plural } from '../format';
import { useUrlQuery } from '../url-state';

/** The items whose searchable texts contain the URL's filter text (any letter case), and the filter control. */
export function useListFilter<T>(items: readonly T[], texts: (item: T) => (string | undefined)[], noun: { one: string; many: string }, placeholder: string) {
  const url = useUrlQuery();
  const applied = url.get('q');
  const [text, setText] = useState(applied);
  // Back and forward navigation change the applied filter: show it.
  useEffect(() => setText(applied), [applied]);
  const needle = applied.trim().toLowerCase();
  const matching = needle ? items.filter((item) => texts(item).some((t) => t?.toLowerCase().includes(needle))) : [...items];

  const filter = (
    <TextFilter
      filteringText={text}
      filteringPlaceholder={placeholder}
      filteringAriaLabel={placeholder}
      countText={plural(matching.length, noun.one, noun.many)}
      onChange={({ detail }) => {
        setText(detail.filteringText);
        url.update({ q: detail.filteringText }, { replace: true });
      }}
    />
  );
  return { matching, filter, filtered: needle !== '' };
}
