// Creating an administrator from a one-time setup link (/console/setup#token=...). The token stays in the URL
// fragment, which browsers never send to a server; the page hands it to the API in a request body.
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { inspectSetupLink, type ApiError, type SetupLink } from '../api';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { useFlash } from '../components/flash';
import { Page } from '../components/page';
import { RouterLink } from '../components/router-link';
import { roleLabels } from '../format';
import { useSession } from '../session';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD = 10;

const linkUsedUp =
  'This setup link can no longer be used: it has expired or was already used. If you already created your administrator, sign in. Otherwise ask an administrator with full access for a new link (npx carillon admins create).';

/** A link that expired or was used sends a first administrator back to sign in; the Reason says which it was. */
const usedUp = (error: ApiError) => (error.reason === 'admin.setup_used' || error.reason === 'admin.setup_expired' ? linkUsedUp : undefined);

export function SetupPage() {
  const { hash } = useLocation();
  const token = new URLSearchParams(hash.slice(1)).get('token') ?? '';
  const [link, setLink] = useState<SetupLink>();
  const [linkError, setLinkError] = useState<ApiError>();

  useEffect(() => {
    if (!token) return;
    let current = true;
    setLink(undefined);
    setLinkError(undefined);
    inspectSetupLink(token).then(
      (found) => current && setLink(found),
      (e: unknown) => current && setLinkError(toApiError(e)),
    );
    return () => {
      current = false;
    };
  }, [token]);

  return (
    <Page bare>
      <div style={{ maxWidth: 560, margin: '0 auto' }}>
        <SpaceBetween size="m">
          <Header variant="h1">Set up your administrator</Header>
          {!token ? (
            <Alert type="error" header="This page needs a setup link">
              Open the complete link that the server printed (it ends in <code>#token=…</code>), or ask an administrator with full access
              for one. Already set up? <RouterLink to="/signin">Sign in</RouterLink>.
            </Alert>
          ) : linkError ? (
            <SpaceBetween size="s">
              <ErrorAlert header="This setup link cannot be used" error={linkError} explanation={usedUp(linkError)} />
              <Box>
                <RouterLink to="/signin">Go to sign-in</RouterLink>
              </Box>
            </SpaceBetween>
          ) : !link ? (
            <StatusIndicator type="loading">Checking the setup link</StatusIndicator>
          ) : (
            <SetupForm token={token} link={link} />
          )}
        </SpaceBetween>
      </div>
    </Page>
  );
}

function SetupForm({ token, link }: { token: string; link: SetupLink }) {
  const { completeSetup } = useSession();
  const { notify } = useFlash();
  const navigate = useNavigate();
  const [email, setEmail] = useState(link.Email ?? '');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const errors = {
    email: !EMAIL.test(email.trim()) ? 'Enter an email address, such as name@example.com.' : undefined,
    name: !name.trim() ? 'Enter your name.' : name.trim().length > 100 ? 'Use at most 100 characters.' : undefined,
    password: password.length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters.` : undefined,
    confirmation: confirmation !== password ? 'The passwords do not match.' : undefined,
  };
  const shown = (message: string | undefined) => (submitted ? message : undefined);

  async function submit() {
    setSubmitted(true);
    if (Object.values(errors).some(Boolean)) return;
    setBusy(true);
    setError(undefined);
    try {
      await completeSetup({ Token: token, Email: email.trim(), Name: name.trim(), Password: password });
      navigate('/accounts', { replace: true });
      notify({ type: 'success', header: `Welcome, ${name.trim()}. Your administrator is ready and you are signed in.` });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Form
        actions={
          <Button variant="primary" loading={busy}>
            Create administrator
          </Button>
        }
      >
        <SpaceBetween size="m">
          {error && <ErrorAlert header="The administrator was not created" error={error} explanation={usedUp(error)} />}
          <Container header={<Header variant="h2" description={`You will have the ${roleLabels[link.Role]} role.`}>Your details</Header>}>
            <SpaceBetween size="m">
              <FormField label="Email" errorText={shown(errors.email)} description={link.Email ? 'This link was issued for this address.' : undefined}>
                <Input type="email" value={email} readOnly={link.Email !== null} onChange={({ detail }) => setEmail(detail.value)} autoComplete="username" />
              </FormField>
              <FormField label="Name" errorText={shown(errors.name)}>
                <Input value={name} onChange={({ detail }) => setName(detail.value)} autoComplete="name" />
              </FormField>
              <FormField
                label="Password"
                constraintText={`At least ${MIN_PASSWORD} characters, with at least 5 different characters; not a common password and not your email name.`}
                errorText={shown(errors.password)}
              >
                <Input type="password" value={password} onChange={({ detail }) => setPassword(detail.value)} autoComplete="new-password" />
              </FormField>
              <FormField label="Confirm password" errorText={shown(errors.confirmation)}>
                <Input type="password" value={confirmation} onChange={({ detail }) => setConfirmation(detail.value)} autoComplete="new-password" />
              </FormField>
            </SpaceBetween>
          </Container>
        </SpaceBetween>
      </Form>
    </form>
  );
}
