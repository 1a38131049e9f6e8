// Dismissible success and failure messages that outlive a navigation (a deletion shows its message on the list
// it returns to).
import Flashbar, { type FlashbarProps } from '@cloudscape-design/components/flashbar';
import { createContext, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiError } from '../api';
import { ErrorDetails } from './error-explanation';

interface FlashMessage {
  type: 'success' | 'error' | 'warning' | 'info';
  header: ReactNode;
  content?: ReactNode;
}

interface FlashActions {
  notify: (message: FlashMessage) => void;
  notifyError: (header: ReactNode, error: ApiError, explanation?: ReactNode) => void;
}

interface FlashState {
  messages: ReadonlyArray<FlashMessage & { id: string }>;
  dismiss: (id: string) => void;
}

// Two contexts, so that screens which only post messages do not re-render when the list changes.
const FlashActionsContext = createContext<FlashActions | null>(null);
const FlashStateContext = createContext<FlashState | null>(null);

/** Older messages drop off, so a series of actions does not push the screen's content out of view. */
const MAX_MESSAGES = 5;

export function FlashProvider({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<FlashState['messages']>([]);
  const nextId = useRef(0);

  const actions = useMemo<FlashActions>(() => {
    const notify = (message: FlashMessage) => {
      const id = `flash-${nextId.current++}`;
      setMessages((current) => [{ ...message, id }, ...current].slice(0, MAX_MESSAGES));
    };
    return {
      notify,
      notifyError: (header, error, explanation) => notify({ type: 'error', header, content: <ErrorDetails error={error} explanation={explanation} /> }),
    };
  }, []);
  const state = useMemo<FlashState>(() => ({ messages, dismiss: (id) => setMessages((current) => current.filter((m) => m.id !== id)) }), [messages]);

  return (
    <FlashActionsContext.Provider value={actions}>
      <FlashStateContext.Provider value={state}>{children}</FlashStateContext.Provider>
    </FlashActionsContext.Provider>
  );
}

export function useFlash(): FlashActions {
  const actions = useContext(FlashActionsContext);
  if (!actions) throw new Error('useFlash needs a FlashProvider');
  return actions;
}

export function Flashes() {
  const state = useContext(FlashStateContext);
  if (!state) throw new Error('Flashes needs a FlashProvider');
  const items: FlashbarProps.MessageDefinition[] = state.messages.map(({ id, type, header, content }) => ({
    id,
    type,
    header,
    content,
    dismissible: true,
    dismissLabel: 'Dismiss message',
    onDismiss: () => state.dismiss(id),
  }));
  return <Flashbar items={items} data-testid="flashbar" />;
}
