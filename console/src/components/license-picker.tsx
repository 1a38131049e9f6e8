// A license chooser with its Save button, for a user's license and an account's default license: Save is live only
// when the choice differs from the current one, and waits while the change is made.
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useEffect, useState } from 'react';
import type { AssignableLicense, License } from '../api';

const licenseOptions = [
  { value: 'Pro', label: 'Pro' },
  { value: 'Basic', label: 'Basic' },
];

interface LicensePickerProps {
  title: string;
  description: string;
  saveLabel: string;
  current: License;
  /** Makes the change and reports the outcome; the picker only holds the choice and the busy state. */
  onSave: (license: AssignableLicense) => Promise<void>;
}

export function LicensePicker({ title, description, saveLabel, current, onSave }: LicensePickerProps) {
  const [license, setLicense] = useState<string>(current);
  const [saving, setSaving] = useState(false);
  useEffect(() => setLicense(current), [current]);

  async function save() {
    setSaving(true);
    try {
      await onSave(license as AssignableLicense);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Container header={<Header variant="h2">{title}</Header>}>
      <SpaceBetween direction="horizontal" size="xs" alignItems="end">
        <FormField label={title} description={description}>
          <Select
            selectedOption={licenseOptions.find((o) => o.value === license) ?? { value: license, label: license }}
            options={licenseOptions}
            onChange={({ detail }) => setLicense(detail.selectedOption.value ?? license)}
          />
        </FormField>
        <Button onClick={() => void save()} loading={saving} disabled={license === current}>
          {saveLabel}
        </Button>
      </SpaceBetween>
    </Container>
  );
}
