// Cloudscape dialogs first focus their close button; a dialog that exists to take one entry moves the focus on
// to it, so the keyboard can type at once and press Enter.
import { useEffect, useRef } from 'react';

export function useInitialFocus<T extends { focus(): void }>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    const frame = requestAnimationFrame(() => ref.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, []);
  return ref;
}
