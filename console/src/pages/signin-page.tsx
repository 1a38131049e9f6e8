// Sign-in for administrators; afterwards the console returns to the page that asked for it (?return_to=).
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { Navigate, useSearchParams } from 'react-router-dom';
import type { ApiError } from '../api';
import { ErrorAlert, toApiError } from '../components/error-explanation';
import { Page } from '../components/page';
import { useSession } from '../session';

/** Only paths inside the console are followed, so a crafted link cannot send the administrator elsewhere. */
function safeReturnTo(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || raw.startsWith('/signin')) return '/accounts';
  return raw;
}

export function SignInPage() {
  const { state, signIn } = useSession();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  if (state.status === 'signed-in') return <Navigate to={safeReturnTo(params.get('return_to'))} replace />;

  const emailError = submitted && !email.trim() ? 'Enter your email address.' : undefined;
  const passwordError = submitted && !password ? 'Enter your password.' : undefined;

  async function submit() {
    setSubmitted(true);
    if (!email.trim() || !password) return;
    setBusy(true);
    setError(undefined);
    try {
      await signIn(email.trim(), password);
    } catch (e) {
      setError(toApiError(e));
      setPassword('');
      setSubmitted(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page bare>
      <div style={{ maxWidth: 480, margin: '0 auto' }}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Form
            header={<Header variant="h1">Sign in to Carillon</Header>}
            actions={
              <Button variant="primary" loading={busy}>
                Sign in
              </Button>
            }
          >
            <SpaceBetween size="m">
              {state.status === 'signed-out' && state.ended && (
                <Alert type="info" header="Your session has ended">
                  Sign in again to continue where you left off.
                </Alert>
              )}
              {error && <ErrorAlert header="Sign-in failed" error={error} />}
              <Container>
                <SpaceBetween size="m">
                  <FormField label="Email" errorText={emailError}>
                    <Input type="email" value={email} onChange={({ detail }) => setEmail(detail.value)} autoComplete="username" autoFocus />
                  </FormField>
                  <FormField label="Password" errorText={passwordError}>
                    <Input type="password" value={password} onChange={({ detail }) => setPassword(detail.value)} autoComplete="current-password" />
                  </FormField>
                </SpaceBetween>
              </Container>
            </SpaceBetween>
          </Form>
        </form>
      </div>
    </Page>
  );
}
