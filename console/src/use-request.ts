// Loads data for a screen through the signed-in API and tracks loading, failure and reloads.
import { useEffect, useState, type DependencyList } from 'react';
import type { ApiError, ChimeApi } from './api';
import { toApiError } from './components/error-explanation';
import { useSignedIn } from './session';

interface Request<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  /** Replaces the loaded data with the result of an action, without another round trip. */
  setData: (data: T) => void;
}

export function useRequest<T>(load: (api: ChimeApi) => Promise<T>, deps: DependencyList): Request<T> {
  const { api } = useSignedIn();
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setState((s) => ({ data: s.data, loading: true }));
    load(api).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error: toApiError(error), loading: false }),
    );
    // A newer request supersedes this one: its late answer must not overwrite the newer state.
    return () => {
      current = false;
    };
    // `load` is a new closure on every render; the caller's deps name what it reads.
  }, [api, attempt, ...deps]);

  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: () => setAttempt((a) => a + 1),
    setData: (data) => setState({ data, loading: false }),
  };
}
