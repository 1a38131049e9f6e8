// "Download CSV" for a list screen: reads every page of what the filter shows (up to a cap), then downloads it,
// and says so when the cap cut the export short.
import Button from '@cloudscape-design/components/button';
import { useState } from 'react';
import { collectPages, downloadCsv, exportFileName, toCsv, type CsvColumn, type ListPage } from '../csv';
import { formatNumber, plural } from '../format';
import { toApiError } from './error-explanation';
import { useFlash } from './flash';

interface CsvExportButtonProps<T> {
  /** What the file holds, for the messages: "user" and "users". */
  noun: { one: string; many: string };
  /** The file name's middle part: carillon-<fileStem>-<time>.csv. */
  fileStem: string;
  fetchPage: (nextToken: string | undefined) => Promise<ListPage<T>>;
  columns: readonly CsvColumn<T>[];
  cap: number;
  /** What to do to export the rest when the cap was reached. */
  cappedAdvice: string;
  'data-testid'?: string;
}

export function CsvExportButton<T>({ noun, fileStem, fetchPage, columns, cap, cappedAdvice, ...rest }: CsvExportButtonProps<T>) {
  const { notify, notifyError } = useFlash();
  const [progress, setProgress] = useState<number>();

  async function run() {
    setProgress(0);
    try {
      const { items, capped } = await collectPages(fetchPage, cap, setProgress);
      downloadCsv(exportFileName(fileStem), toCsv(items, columns));
      if (capped) {
        notify({
          type: 'warning',
          header: `Only the first ${formatNumber(cap)} ${noun.many} were exported.`,
          content: `More ${noun.many} match this filter than one export holds. ${cappedAdvice}`,
        });
      } else {
        notify({ type: 'success', header: `Exported ${plural(items.length, noun.one, noun.many)} to CSV.` });
      }
    } catch (e) {
      notifyError(`The ${noun.many} were not exported`, toApiError(e));
    } finally {
      setProgress(undefined);
    }
  }

  const busy = progress !== undefined;
  return (
    <Button iconName="download" onClick={() => void run()} loading={busy} data-testid={rest['data-testid']}>
      {busy && progress > 0 ? `Exporting (${formatNumber(progress)})` : 'Download CSV'}
    </Button>
  );
}
