// The administrator's console session: loaded once from /console/api/session, it holds the CSRF token that
// every API call carries and the role that decides which actions the screens offer.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import * as api from './api';
import type { GatedOperation } from './permissions';

type SessionState =
  | { status: 'loading' }
  | { status: 'unavailable'; error: api.ApiError }
  /** `ended`: a session was open and the server ended it (timeout, sign-out elsewhere), as opposed to a first visit. */
  | { status: 'signed-out'; ended: boolean }
  | { status: 'signed-in'; session: api.ConsoleSession };

interface SessionContextValue {
  state: SessionState;
  retry: () => void;
  signIn: (email: string, password: string) => Promise<void>;
  completeSetup: (input: { Token: string; Email: string; Name: string; Password: string }) => Promise<void>;
  signOut: () => Promise<void>;
  endSession: () => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    api.getSession().then(
      (session) => current && setState(session ? { status: 'signed-in', session } : { status: 'signed-out', ended: false }),
      (error: api.ApiError) => current && setState({ status: 'unavailable', error }),
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  const csrfToken = state.status === 'signed-in' ? state.session.CsrfToken : undefined;
  const endSession = useCallback(() => setState({ status: 'signed-out', ended: true }), []);

  const value = useMemo<SessionContextValue>(
    () => ({
      state,
      retry: () => {
        setState({ status: 'loading' });
        setAttempt((a) => a + 1);
      },
      signIn: async (email, password) => setState({ status: 'signed-in', session: await api.signIn(email, password) }),
      completeSetup: async (input) => setState({ status: 'signed-in', session: await api.completeSetup(input) }),
      signOut: async () => {
        if (csrfToken) await api.signOut(csrfToken);
        setState({ status: 'signed-out', ended: false });
      },
      endSession,
    }),
    [state, csrfToken, endSession],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession needs a SessionProvider');
  return value;
}

interface SignedIn {
  admin: api.SessionAdministrator;
  api: api.ChimeApi;
  can: (operation: GatedOperation) => boolean;
  /** Whether the server can send email; without a relay, invitation emails wait in the outbox. */
  mailRelayConfigured: boolean;
}

const SignedInContext = createContext<SignedIn | null>(null);

/** Provides the signed-in administrator and the API bound to their session to the screens below it. */
export function SignedInProvider({ session, children }: { session: api.ConsoleSession; children: ReactNode }) {
  const { endSession } = useSession();
  const { Administrator: admin, CsrfToken } = session;
  const chimeApi = useMemo(() => api.createChimeApi(CsrfToken, endSession), [CsrfToken, endSession]);
  const allowed = useMemo(() => new Set<string>(session.AllowedOperations), [session.AllowedOperations]);
  const mailRelayConfigured = session.MailRelayConfigured;
  const value = useMemo<SignedIn>(
    () => ({ admin, api: chimeApi, can: (operation) => allowed.has(operation), mailRelayConfigured }),
    [admin, chimeApi, allowed, mailRelayConfigured],
  );
  return <SignedInContext.Provider value={value}>{children}</SignedInContext.Provider>;
}

export function useSignedIn(): SignedIn {
  const value = useContext(SignedInContext);
  if (!value) throw new Error('useSignedIn is only available on screens that require a session');
  return value;
}
