// A value the server shows once (a setup link, an access key's secret): shown in full, with a copy button, and
// a warning that it cannot be shown again. It lives only in the dialog's state, never in the URL or the history.
import Box from '@cloudscape-design/components/box';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import FormField from '@cloudscape-design/components/form-field';

interface OneTimeSecretProps {
  label: string;
  value: string;
  description?: string;
  'data-testid'?: string;
}

export function OneTimeSecret({ label, value, description, ...rest }: OneTimeSecretProps) {
  return (
    <FormField label={label} description={description} stretch>
      <Box variant="code" data-testid={rest['data-testid']}>
        <CopyToClipboard
          variant="inline"
          textToCopy={value}
          wrapText
          copyButtonAriaLabel={`Copy ${label.toLowerCase()}`}
          copySuccessText={`${label} copied`}
          copyErrorText={`${label} could not be copied: select it and copy it by hand.`}
        />
      </Box>
    </FormField>
  );
}
